// The workshop wall (docs/workshops.md, "Running the wall"): live refresh of #wall-live, the
// countdown, and the idea composer that never loses what was typed. Progressive enhancement only:
// every page works without this file (forms post, pages show the state on reload).
//
// Live: live.js holds the tab's one EventSource and repeats each event as a "concerto:live" DOM
// event. The stream carries counts and the wall's version only; when the version grows, the page's
// own fragment (?fragment=1, rendered for this person) replaces #wall-live. The composer lives
// outside #wall-live, so a refresh never touches what is being typed; inside it, focus, open
// <details> and changed fields are carried over.
//
// Nothing typed is lost: the draft (text, question, place, client id) is saved to localStorage on
// every keystroke. Sending moves it to an outbox, also in localStorage, in the same write; an item
// leaves the outbox only when the server acknowledged it (201 created or 200 already there: the
// client id makes a retry a no-op). The outbox is retried when the browser comes back online and
// every few seconds with back-off, and survives a reload.
(function () {
  "use strict";
  var page = document.getElementById("wall-page");
  if (!page || !window.fetch) { return; }

  // --- live refresh --------------------------------------------------------------------------
  function live() { return document.getElementById("wall-live"); }
  function versionOf(el) { return parseInt(el && el.getAttribute("data-wall-version"), 10) || 0; }
  var topic = live() && live().getAttribute("data-live-topic");
  var wanted = 0;
  var fetching = false;
  var failures = 0;
  var announcer = document.getElementById("wall-announce");

  function announce(text) {
    if (!announcer || !text) { return; }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 100);
  }

  function fieldKey(el) {
    if (el.id) { return "#" + el.id; }
    var form = el.form;
    return [form ? form.getAttribute("action") : "", el.name || "", el.value || "", el.tagName].join("|");
  }

  function findByKey(root, key) {
    if (key.charAt(0) === "#") { return document.getElementById(key.slice(1)); }
    var found = null;
    root.querySelectorAll("input, textarea, select, button, summary, a").forEach(function (el) {
      if (!found && fieldKey(el) === key) { found = el; }
    });
    return found;
  }

  function dirty(el) {
    if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return el.type !== "hidden" && el.value !== el.defaultValue;
  }

  function replaceLive(html) {
    var old = live();
    if (!old) { return; }
    var box = document.createElement("div");
    box.innerHTML = html;
    var fresh = box.querySelector("#wall-live");
    if (!fresh) { return; }
    var active = document.activeElement;
    var activeKey = active && old.contains(active) ? fieldKey(active) : null;
    var selection = null;
    try { if (active && typeof active.selectionStart === "number") { selection = [active.selectionStart, active.selectionEnd]; } } catch (e) { selection = null; }
    var saved = [];
    old.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (dirty(el)) { saved.push([fieldKey(el), el.type === "checkbox" || el.type === "radio" ? el.checked : el.value]); }
    });
    var open = [];
    old.querySelectorAll("details[open][id]").forEach(function (d) { open.push(d.id); });
    var oldPhase = old.getAttribute("data-phase");
    old.parentNode.replaceChild(fresh, old);
    open.forEach(function (id) { var d = document.getElementById(id); if (d) { d.open = true; } });
    saved.forEach(function (pair) {
      var el = findByKey(fresh, pair[0]);
      if (!el) { return; }
      if (typeof pair[1] === "boolean") { el.checked = pair[1]; } else { el.value = pair[1]; }
    });
    if (activeKey) {
      var again = findByKey(fresh, activeKey);
      if (again) {
        again.focus();
        if (selection) { try { again.setSelectionRange(selection[0], selection[1]); } catch (e) { /* not a text field */ } }
      }
    }
    tickTimers();
    var phase = fresh.getAttribute("data-phase");
    if (phase && phase !== oldPhase) { phaseChanged(phase, fresh); }
  }

  function refresh() {
    if (fetching) { return; }
    if (page.hasAttribute("data-wall-reload")) { window.location.reload(); return; }
    fetching = true;
    var url = window.location.pathname + "?fragment=1";
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error("page moved"); }
        return response.text();
      })
      .then(function (html) { replaceLive(html); failures = 0; })
      .catch(function () { failures += 1; })
      .then(function () {
        fetching = false;
        // A version still behind (an event during the fetch): once more. Failing three times in a
        // row: wait for the next event (or a reload) rather than hammer the server.
        if (wanted > versionOf(live()) && failures < 3) { window.setTimeout(refresh, 300 * (failures + 1)); }
      });
  }

  // The cluster board's script (cluster.js) asks for a refresh right after its own write.
  window.ConcertoWall = { refresh: refresh };

  document.addEventListener("concerto:live", function (e) {
    var event = e.detail;
    if (!event || event.t !== topic || !event.d) { return; }
    // Participants' pages and the projector follow the shared version ("sv"), the console every change ("v").
    var key = (live() && live().getAttribute("data-wall-key")) || "v";
    var v = parseInt(event.d[key], 10) || 0;
    if (v > wanted) { wanted = v; }
    if (v > versionOf(live())) { failures = 0; refresh(); }
  });

  function phaseChanged(phase, fresh) {
    var label = document.getElementById("wall-phase-label");
    if (label) { label.textContent = fresh.getAttribute("data-phase-label") || ""; }
    announce(fresh.getAttribute("data-announce"));
    if (composer && phase !== "collect") { closeComposer(); }
    if (!composer && phase === "collect" && page.classList.contains("wall-page")) {
      // The composer appears with the collect: a reload draws it (drafts are in localStorage).
      window.location.reload();
    }
  }

  // --- the countdown ---------------------------------------------------------------------------
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tickTimers() {
    document.querySelectorAll("[data-timer-ends]").forEach(function (el) {
      var ends = Date.parse(el.getAttribute("data-timer-ends"));
      if (isNaN(ends)) { return; }
      var left = Math.round((ends - Date.now()) / 1000);
      if (left <= 0) { el.textContent = el.getAttribute("data-timer-over") || "0:00"; return; }
      el.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
    });
  }
  if (document.querySelector("[data-timer-ends]") || topic) {
    tickTimers();
    window.setInterval(tickTimers, 1000);
  }

  // --- the composer ----------------------------------------------------------------------------
  var composer = document.getElementById("composer");
  if (!composer) { return; }
  var form = document.getElementById("idea-form");
  var textField = document.getElementById("idea-text");
  var placeField = document.getElementById("idea-place");
  var idField = form.querySelector("input[name=client_id]");
  var counter = document.getElementById("idea-count");
  var status = document.getElementById("composer-status");
  var outboxBox = document.getElementById("outbox");
  var key = composer.getAttribute("data-storage-key");
  var MAX = 280;
  var retryDelay = 2000;
  var retryTimer = null;
  var sending = false;
  var closed = false;

  function msg(name, values) {
    var text = composer.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) { try { return crypto.randomUUID(); } catch (e) { /* not a secure context */ } }
    var bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) { crypto.getRandomValues(bytes); }
    else { for (var i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); } }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function load(name, fallback) {
    try { var v = JSON.parse(window.localStorage.getItem(key + ":" + name)); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }
  function store(name, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key + ":" + name); }
      else { window.localStorage.setItem(key + ":" + name, JSON.stringify(value)); }
    } catch (e) { /* private mode, full: the page still sends */ }
  }

  function prompt() {
    var checked = form.querySelector("input[name=prompt]:checked");
    return checked ? checked.value : "good";
  }

  var draft = load("draft", null);
  function readForm() {
    return { client_id: idField.value, prompt: prompt(), text: textField.value, place: placeField.value };
  }
  function fillForm(d) {
    idField.value = d.client_id;
    textField.value = d.text || "";
    placeField.value = d.place || "";
    var radio = form.querySelector("input[name=prompt][value='" + (d.prompt || "good") + "']");
    if (radio) { radio.checked = true; }
  }
  if (draft && draft.client_id) { fillForm(draft); } else { idField.value = newId(); }

  function count() {
    var n = textField.value.trim().length;
    counter.textContent = n > MAX ? msg("too-long", { n: n, max: MAX }) : msg("count", { n: n, max: MAX });
    counter.classList.toggle("error", n > MAX);
  }
  count();

  function saveDraft() {
    // A draft starts with its first keystroke: a fresh client id if the last one was sent.
    if (!idField.value) { idField.value = newId(); }
    store("draft", readForm());
    count();
  }
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  var outbox = load("outbox", []);
  if (!Array.isArray(outbox)) { outbox = []; }

  function renderOutbox() {
    var list = outboxBox.querySelector("ul");
    list.textContent = "";
    outbox.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "outbox-item" + (item.error ? " refused" : "");
      var p = document.createElement("p");
      p.className = "idea-text";
      p.textContent = item.text;
      li.appendChild(p);
      var note = document.createElement("p");
      note.className = item.error ? "error" : "help";
      note.textContent = item.error ? msg("refused") + " " + item.error : msg("waiting");
      li.appendChild(note);
      if (item.error) {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary small";
        remove.textContent = msg("remove");
        remove.addEventListener("click", function () {
          outbox = outbox.filter(function (i) { return i.client_id !== item.client_id; });
          store("outbox", outbox);
          renderOutbox();
          textField.focus();
        });
        li.appendChild(remove);
      }
      list.appendChild(li);
    });
    outboxBox.hidden = outbox.length === 0;
  }

  function setStatus(text) { status.textContent = text; }

  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function schedule() {
    if (retryTimer) { window.clearTimeout(retryTimer); }
    if (!outbox.some(function (i) { return !i.error; })) { return; }
    retryTimer = window.setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function sendOne(item) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf());
    ["client_id", "prompt", "text", "place"].forEach(function (k) { body.append(k, item[k] || ""); });
    return fetch(form.getAttribute("action"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf() },
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) { return { ok: true }; }
      if (response.status >= 500) { return { retry: true }; }
      return response.json().then(function (data) {
        return { error: response.status === 409 ? msg("conflict") : (data.message || String(response.status)) };
      }, function () { return { error: String(response.status) }; });
    }, function () { return { retry: true }; });  // no network
  }

  function flush() {
    if (sending) { return; }
    var item = outbox.filter(function (i) { return !i.error; })[0];
    if (!item) { return; }
    sending = true;
    sendOne(item).then(function (result) {
      sending = false;
      if (result.retry) {
        setStatus(msg("waiting"));
        renderOutbox();
        schedule();
        return;
      }
      if (result.ok) {
        outbox = outbox.filter(function (i) { return i.client_id !== item.client_id; });
        setStatus(msg("sent"));
        refresh();  // "My ideas" shows it now, without waiting for the stream
      } else {
        item.error = result.error;
        setStatus(msg("refused") + " " + result.error);
      }
      store("outbox", outbox);
      renderOutbox();
      retryDelay = 2000;
      flush();
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (closed) { return; }
    var item = readForm();
    item.text = item.text.trim();
    if (item.text.length > MAX) { setStatus(msg("too-long", { n: item.text.length, max: MAX })); textField.focus(); return; }
    if (!item.text) { setStatus(msg("empty")); textField.focus(); return; }
    if (!item.client_id) { item.client_id = newId(); }
    // One write: the idea goes into the outbox and the composer is freed for the next one.
    outbox.push(item);
    store("outbox", outbox);
    store("draft", null);
    textField.value = "";
    placeField.value = "";
    idField.value = newId();
    count();
    setStatus(msg("sending"));
    renderOutbox();
    flush();
  });

  function closeComposer() {
    // What was being typed stays in the text field (and in the draft) for the facilitator to read.
    closed = true;
    var button = form.querySelector("button[type=submit]");
    if (button) { button.hidden = true; }
    textField.readOnly = true;
    setStatus(msg("closed"));
  }

  window.addEventListener("online", function () { retryDelay = 2000; flush(); });
  renderOutbox();
  flush();
})();
