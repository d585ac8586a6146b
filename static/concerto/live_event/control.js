// The facilitator's control room (docs/live-event.md, "Control room"). Progressive enhancement:
// without this file every button is a plain form that posts and comes back to the page.
//
// - One EventSource for the tab: /flux/?t=event:<id>&t=eventroom:<id>. A state is applied only when
//   its seq is higher than the one shown (the room state also when equal: a new audience question
//   sends it again without a new seq). When the stream is down, a banner says so and we reconnect.
// - Nothing typed is lost: every edit of a candidate's cell is written to localStorage (its client
//   id and an increasing revision with the values) before anything is sent; the draft leaves
//   localStorage only when the server acknowledged that revision. On load, drafts the server does
//   not have yet are put back into their fields and sent again. The revision makes a late retry
//   harmless: the server keeps the highest one.
// - Clocks tick here from the state's speaking.since, corrected by the offset between the server's
//   "now" and this machine's clock, so no message per second is needed.
// - Keyboard: see the "Keyboard shortcuts" section of the page; single keys never act while a field
//   has the focus (Alt + key does, Escape leaves the field).
(function () {
  "use strict";
  var root = document.getElementById("control-room");
  if (!root || !window.fetch || !window.JSON) { return; }

  function readJSON(id) {
    var el = document.getElementById(id);
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }
  var labels = readJSON("control-labels");
  var pub = readJSON("control-public-state");
  var room = readJSON("control-room-state");
  var eventId = root.getAttribute("data-event");
  var summaryMax = parseInt(root.getAttribute("data-summary-max"), 10) || 280;
  var offset = pub.now ? Date.parse(pub.now) - Date.now() : 0;
  var PREFIX = "concerto:control:" + eventId + ":";
  var announcer = document.getElementById("control-announce");
  var errorBox = document.getElementById("control-error");

  function fill(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_m, k) { return values[k] == null ? "" : values[k]; });
  }
  function announce(text) {
    if (!announcer) { return; }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }
  function showError(text) {
    if (!errorBox) { return; }
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function clock(seconds) {
    var total = Math.max(0, Math.floor(seconds || 0));
    var m = Math.floor(total / 60), s = total % 60;
    return m ? m + "\u00a0min\u00a0" + (s < 10 ? "0" : "") + s + "\u00a0s" : s + "\u00a0s";
  }
  function setText(el, text) { if (el && el.textContent !== text) { el.textContent = text; } }

  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";

  // Answers {ok, status, body}; a network failure answers status 0.
  function post(url, data) {
    var body = data instanceof FormData ? data : new URLSearchParams(data);
    if (!(data instanceof FormData)) { body.set("csrfmiddlewaretoken", csrf); }
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) { return { ok: r.ok, status: r.status, body: b }; });
    }, function () { return { ok: false, status: 0, body: {} }; });
  }
  function failed(answer) {
    showError(answer.body && answer.body.message ? answer.body.message : labels.failed);
  }

  // --- screens ---------------------------------------------------------------------------------
  var shown = parseInt(root.getAttribute("data-shown"), 10) || null;
  function screens() { return root.querySelectorAll(".control-screen"); }
  function screenOf(itemId) { return document.getElementById("item-" + itemId); }
  function showScreen(itemId, focus) {
    if (!screenOf(itemId)) { return; }
    shown = itemId;
    screens().forEach(function (s) { s.hidden = s.getAttribute("data-item") !== String(itemId); });
    root.querySelectorAll("[data-show-item]").forEach(function (a) {
      if (a.getAttribute("data-show-item") === String(itemId)) { a.setAttribute("aria-current", "true"); }
      else { a.removeAttribute("aria-current"); }
    });
    if (focus) { document.getElementById("item-" + itemId + "-title").focus(); }
  }
  root.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("[data-show-item]");
    if (!link) { return; }
    e.preventDefault();
    showScreen(parseInt(link.getAttribute("data-show-item"), 10), true);
  });

  // --- cells: drafts, saving -------------------------------------------------------------------
  function cells() { return root.querySelectorAll("[data-cell]"); }
  function cellKey(cell) { return PREFIX + cell.getAttribute("data-item") + ":" + cell.getAttribute("data-candidate"); }
  function readDraft(cell) {
    try { return JSON.parse(localStorage.getItem(cellKey(cell)) || "null"); } catch (e) { return null; }
  }
  function writeDraft(cell, draft) {
    try { localStorage.setItem(cellKey(cell), JSON.stringify(draft)); } catch (e) { /* full or off: the page still sends */ }
  }
  function dropDraft(cell, revision) {
    var d = readDraft(cell);
    if (d && d.revision <= revision) { try { localStorage.removeItem(cellKey(cell)); } catch (e) { /* ignore */ } }
  }
  function valuesOf(cell) {
    var checked = cell.querySelector("input[name=stance]:checked");
    return { stance: checked ? checked.value : "", summary: cell.querySelector("[name=summary]").value,
             improvement: cell.querySelector("[name=improvement]").value };
  }
  function putValues(cell, v) {
    cell.querySelectorAll("input[name=stance]").forEach(function (r) { r.checked = r.value === v.stance; });
    if (typeof v.summary === "string") { cell.querySelector("[name=summary]").value = v.summary; }
    if (typeof v.improvement === "string") { cell.querySelector("[name=improvement]").value = v.improvement; }
    updateCounter(cell);
  }
  function updateCounter(cell) {
    var n = cell.querySelector("[name=summary]").value.length;
    setText(cell.querySelector("[data-counter]"), fill(labels.counter, { n: n, max: summaryMax }));
  }
  function setState(cell, kind, text) {
    var el = cell.querySelector("[data-cell-state]");
    el.setAttribute("data-state", kind);
    setText(el, text);
  }
  function acked(cell) { return parseInt(cell.getAttribute("data-revision"), 10) || 0; }
  function clientId(cell) {
    var d = readDraft(cell);
    return d && d.client_id ? d.client_id : cell.getAttribute("data-client-id");
  }

  var timers = {};
  var inFlight = {};
  function edited(cell) {
    updateCounter(cell);
    var d = readDraft(cell);
    var revision = Math.max(acked(cell), d ? d.revision : 0, cell._sent || 0) + 1;
    var v = valuesOf(cell);
    writeDraft(cell, { client_id: clientId(cell), revision: revision, stance: v.stance, summary: v.summary,
                       improvement: v.improvement });
    setState(cell, "pending", labels.pending);
    var key = cellKey(cell);
    window.clearTimeout(timers[key]);
    timers[key] = window.setTimeout(function () { send(cell); }, 600);
  }
  function send(cell) {
    var key = cellKey(cell);
    window.clearTimeout(timers[key]);
    var d = readDraft(cell);
    if (!d) { return; }
    if (!d.stance) { setState(cell, "pending", labels.pending + " – " + labels.need_stance); return; }
    if (inFlight[key]) { inFlight[key].again = true; return; }
    inFlight[key] = { again: false };
    cell._sent = Math.max(cell._sent || 0, d.revision);
    post(root.getAttribute("data-position-url"), {
      item: cell.getAttribute("data-item"), candidate: cell.getAttribute("data-candidate"), stance: d.stance,
      summary: d.summary, improvement: d.improvement, client_id: d.client_id, revision: d.revision
    }).then(function (answer) {
      var again = inFlight[key].again;
      delete inFlight[key];
      if (answer.ok && answer.body.position) {
        var stored = answer.body.position;
        cell.setAttribute("data-revision", String(Math.max(acked(cell), stored.revision)));
        cell.setAttribute("data-client-id", stored.client_id);
        dropDraft(cell, stored.revision >= d.revision ? d.revision : -1);
        if (answer.body.outcome === "stale" && !readDraft(cell)) { putValues(cell, stored); }
        if (readDraft(cell)) { again = true; } else { setState(cell, "saved", labels.saved); }
      } else if (answer.status === 0 || answer.status >= 500) {
        setState(cell, "pending", labels.pending);  // kept; the retry loop sends it again
        return;
      } else {
        setState(cell, "error", fill(labels.error, { message: answer.body.message || labels.failed }));
        return;
      }
      if (again) { send(cell); }
    });
  }
  // Drafts the server has not acknowledged: back into their fields, and sent again.
  cells().forEach(function (cell) {
    var d = readDraft(cell);
    if (!d) { return; }
    if (d.revision <= acked(cell)) { dropDraft(cell, d.revision); return; }
    putValues(cell, d);
    setState(cell, "pending", labels.pending);
    send(cell);
  });
  window.setInterval(function () {
    cells().forEach(function (cell) { if (readDraft(cell) && !inFlight[cellKey(cell)]) { send(cell); } });
  }, 5000);
  window.addEventListener("online", function () { cells().forEach(function (cell) { if (readDraft(cell)) { send(cell); } }); });

  root.addEventListener("input", function (e) {
    var cell = e.target.closest && e.target.closest("[data-cell]");
    if (cell) { edited(cell); }
  });
  root.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.hasAttribute("data-cell")) {
      e.preventDefault();
      if (!readDraft(form)) { edited(form); }
      send(form);
      return;
    }
    if (form.hasAttribute("data-questions-filter")) {
      e.preventDefault();
      refreshQuestions();
      return;
    }
    if (!form.hasAttribute("data-control-form")) { return; }
    e.preventDefault();
    var data = new FormData(form);
    if (data.has("client_id")) { data.set("client_id", uuid()); }  // a new key press, a new turn
    post(form.getAttribute("action"), data).then(function (answer) {
      if (!answer.ok) { failed(answer); return; }
      showError("");
      if (form.closest("#control-questions")) { refreshQuestions(); }
    });
  });
  root.addEventListener("change", function (e) {
    if (e.target.id === "questions-item") { refreshQuestions(); }
  });

  // --- live states -----------------------------------------------------------------------------
  function applyPublic(d) {
    if (!d || typeof d.seq !== "number" || d.seq <= (pub.seq || 0)) { return; }
    var before = pub;
    pub = d;
    if (d.now) { offset = Date.parse(d.now) - Date.now(); }
    if (before.status !== d.status) {
      // Started or ended: the page's buttons change; drafts are in localStorage, nothing is lost.
      window.location.reload();
      return;
    }
    var onAir = d.on_air ? d.on_air.item : null;
    var wasOnAir = before.on_air ? before.on_air.item : null;
    root.querySelectorAll(".order-item").forEach(function (li) {
      var mine = li.getAttribute("data-item") === String(onAir);
      li.classList.toggle("is-on-air", mine);
      var form = li.querySelector(".put-on-air");
      if (form) { form.hidden = mine; }
    });
    root.querySelectorAll(".on-air-badge").forEach(function (b) {
      var holder = b.closest("[data-item]");
      b.hidden = !holder || holder.getAttribute("data-item") !== String(onAir);
    });
    if (onAir !== wasOnAir && onAir) {
      var focusInside = document.activeElement && document.activeElement.closest &&
        document.activeElement.closest(".control-screen");
      showScreen(onAir, !!focusInside || document.activeElement === document.body);
      announce(fill(labels.on_air, { title: d.on_air.title }));
    }
    // Another control room's saves: shown where nothing is being typed here.
    Object.keys(d.positions || {}).forEach(function (item) {
      Object.keys(d.positions[item]).forEach(function (cand) {
        var cell = document.getElementById("cell-" + item + "-" + cand);
        if (!cell || readDraft(cell) || cell.contains(document.activeElement)) { return; }
        var p = d.positions[item][cand];
        var v = valuesOf(cell);
        if (v.stance !== p.stance || v.summary !== p.summary) { putValues(cell, { stance: p.stance, summary: p.summary }); }
        if (!cell.querySelector("[data-cell-state]").textContent) { setState(cell, "saved", labels.saved); }
      });
    });
    var q = d.question ? d.question.id : null;
    var bq = before.question ? before.question.id : null;
    if (q !== bq) { refreshQuestions(); }
    tick();
  }
  function applyRoom(d) {
    if (!d || typeof d.seq !== "number" || d.seq < (room.seq || 0)) { return; }
    var changed = d.questions_waiting !== room.questions_waiting;
    room = d;
    if (changed) { refreshQuestions(); }
    tick();
  }

  var refreshCount = 0;
  function refreshQuestions() {
    var select = document.getElementById("questions-item");
    var url = root.getAttribute("data-questions-url") + "&questions=" + encodeURIComponent(select ? select.value : "");
    var mine = ++refreshCount;
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html || mine !== refreshCount) { return; }
        var old = document.getElementById("control-questions");
        var box = document.createElement("div");
        box.innerHTML = html;
        var fresh = box.querySelector("#control-questions");
        if (!old || !fresh) { return; }
        var active = document.activeElement;
        var hadFocus = old.contains(active);
        var activeId = hadFocus && active.id;
        old.parentNode.replaceChild(fresh, old);
        if (hadFocus) {
          var again = activeId && document.getElementById(activeId);
          (again || document.getElementById("questions-title")).focus();
        }
      }, function () { /* the next state tries again */ });
  }

  // --- clocks and equal time -------------------------------------------------------------------
  function serverNow() { return Date.now() + offset; }
  function running() {
    return pub.speaking ? Math.max(0, (serverNow() - Date.parse(pub.speaking.since)) / 1000) : 0;
  }
  function tick() {
    var totals = {};
    var speaking = pub.speaking ? String(pub.speaking.candidate) : null;
    var onAir = pub.on_air ? String(pub.on_air.item) : null;
    var run = running();
    (pub.candidates || []).forEach(function (c) {
      totals[c.id] = (pub.totals && pub.totals[c.id] || 0) + (String(c.id) === speaking ? run : 0);
    });
    root.querySelectorAll("[data-clock]").forEach(function (el) {
      var cand = el.getAttribute("data-candidate");
      if (el.getAttribute("data-clock") === "show") { setText(el, clock(totals[cand])); return; }
      var item = el.getAttribute("data-item");
      var base = ((room.item_totals || {})[item] || {})[cand] || 0;
      setText(el, clock(base + (cand === speaking && item === onAir ? run : 0)));
    });
    root.querySelectorAll(".speaking-row").forEach(function (row) {
      var on = row.getAttribute("data-candidate") === speaking;
      row.classList.toggle("is-speaking", on);
      row.querySelector(".speaking-flag").hidden = !on;
    });
    var names = {};
    (pub.candidates || []).forEach(function (c) { names[c.id] = c.name; });
    setText(document.getElementById("control-speaking"),
            speaking ? fill(labels.speaking, { name: names[speaking] }) : labels.nobody);
    var values = Object.keys(totals).map(function (k) { return totals[k]; });
    if (!values.length) { return; }
    var most = Math.max.apply(null, values), least = Math.min.apply(null, values);
    var gap = most - least;
    var target = room.target_gap || 60;
    var level = gap > target ? "over" : (gap > 0.75 * target ? "near" : "within");
    var gapEl = document.getElementById("control-gap");
    gapEl.className = "gap gap-" + (level === "within" ? "ok" : level);
    var text = fill(labels.gap, { gap: clock(gap), target: clock(target) }) + " " + labels[level];
    if (gapEl.getAttribute("data-text") !== text) {
      gapEl.setAttribute("data-text", text);
      gapEl.textContent = "";
      gapEl.appendChild(document.createTextNode(fill(labels.gap, { gap: clock(gap), target: clock(target) }) + " "));
      var strong = document.createElement("strong");
      strong.textContent = labels[level];
      gapEl.appendChild(strong);
    }
    var behind = gap >= 1 ? Object.keys(totals).filter(function (k) { return totals[k] === least; })
      .map(function (k) { return names[k] + " (−" + clock(most - totals[k]) + ")"; }) : [];
    setText(document.getElementById("control-behind"), behind.length ? labels.behind + " " + behind.join(", ") : "");
  }
  window.setInterval(tick, 500);
  tick();

  // --- the stream ------------------------------------------------------------------------------
  var banner = document.getElementById("control-connection");
  var source = null, lastId = "", retryDelay = 1000, retryTimer = null, down = false;
  function setDown(isDown) {
    if (isDown === down) { return; }
    down = isDown;
    banner.className = "control-connection " + (isDown ? "is-down" : "is-up");
    banner.textContent = isDown ? labels.offline : labels.online;
    banner.hidden = false;
    if (!isDown) { window.setTimeout(function () { if (!down) { banner.hidden = true; } }, 4000); }
  }
  function connect() {
    if (!window.EventSource) { return; }
    var url = "/flux/?t=event:" + eventId + "&t=eventroom:" + eventId +
      (lastId ? "&last_event_id=" + encodeURIComponent(lastId) : "");
    source = new EventSource(url);
    source.onopen = function () { retryDelay = 1000; setDown(false); };
    source.onmessage = function (m) {
      if (m.lastEventId) { lastId = m.lastEventId; }
      var msg;
      try { msg = JSON.parse(m.data); } catch (e) { return; }
      if (!msg || !msg.t) { return; }
      setDown(false);
      if (msg.t.indexOf("eventroom:") === 0) { applyRoom(msg.d); } else if (msg.t.indexOf("event:") === 0) { applyPublic(msg.d); }
    };
    source.onerror = function () {
      setDown(true);
      // The browser retries a dropped stream by itself; a refused or closed one we reopen ourselves.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        window.clearTimeout(retryTimer);
        retryTimer = window.setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 15000);
      }
    };
  }
  connect();
  window.addEventListener("pagehide", function () { if (source) { source.close(); } });

  // --- keyboard --------------------------------------------------------------------------------
  var lastCell = null;
  root.addEventListener("focusin", function (e) {
    var cell = e.target.closest && e.target.closest("[data-cell]");
    if (cell) { lastCell = cell; }
  });
  function shownScreen() { return shown ? screenOf(shown) : null; }
  function currentCell() {
    var active = document.activeElement;
    var cell = active && active.closest && active.closest("[data-cell]");
    if (cell) { return cell; }
    var screen = shownScreen();
    if (lastCell && screen && screen.contains(lastCell)) { return lastCell; }
    return screen ? screen.querySelector("[data-cell]") : null;
  }
  function moveCell(step) {
    var screen = shownScreen();
    if (!screen) { return; }
    var list = Array.prototype.slice.call(screen.querySelectorAll("[data-cell]"));
    var active = document.activeElement && document.activeElement.closest && document.activeElement.closest("[data-cell]");
    var at = list.indexOf(active || lastCell);
    var next = list[at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.max(0, Math.min(list.length - 1, at + step))];
    if (next) { next.querySelector("[name=summary]").focus(); }
  }
  function chooseStance(n) {
    var cell = currentCell();
    if (!cell) { return; }
    var radio = cell.querySelectorAll("input[name=stance]")[n - 1];
    if (!radio) { return; }
    radio.checked = true;
    edited(cell);
    announce(radio.parentNode.textContent.replace(/Alt\+\d/, "").trim());
  }
  function speak(n) {
    var screen = shownScreen();
    var row = screen && screen.querySelectorAll(".speaking-row")[n - 1];
    if (!row) { return; }
    sendSpeaking(row.getAttribute("data-candidate"), uuid(), 0);
  }
  function sendSpeaking(candidate, id, attempt) {
    post(root.getAttribute("data-speaking-url"), { candidate: candidate, client_id: id }).then(function (answer) {
      if (answer.ok) { showError(""); return; }
      // The same client id again cannot start a second turn: safe to retry a lost answer.
      if (answer.status === 0 && attempt < 3) {
        window.setTimeout(function () { sendSpeaking(candidate, id, attempt + 1); }, 1000 * (attempt + 1));
        return;
      }
      failed(answer);
    });
  }
  function step(direction) {
    post(root.getAttribute("data-on-air-url"), { step: direction }).then(function (answer) {
      if (!answer.ok) { failed(answer); } else { showError(""); }
    });
  }
  var helpReturn = null;
  function toggleHelp() {
    var help = document.getElementById("control-keys");
    if (help.contains(document.activeElement) && helpReturn) { helpReturn.focus(); helpReturn = null; return; }
    helpReturn = document.activeElement;
    help.scrollIntoView({ block: "start" });
    help.focus();
  }
  function typingIn(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) { return true; }
    return tag === "INPUT" && ["radio", "checkbox", "button", "submit", "reset"].indexOf(el.type) < 0;
  }
  function pressable(el) {
    return el && (el.tagName === "BUTTON" || el.tagName === "A" || el.tagName === "SUMMARY" ||
                  (el.tagName === "INPUT" && (el.type === "radio" || el.type === "checkbox")));
  }
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey) { return; }
    var target = e.target;
    if (e.altKey) {
      var digit = /^(?:Digit|Numpad)([1-6])$/.exec(e.code || "");
      if (digit) { e.preventDefault(); chooseStance(parseInt(digit[1], 10)); return; }
      if (e.code === "KeyS") { e.preventDefault(); var c = currentCell(); if (c) { if (!readDraft(c)) { edited(c); } send(c); } return; }
      if (e.key === "ArrowDown") { e.preventDefault(); moveCell(1); return; }
      if (e.key === "ArrowUp") { e.preventDefault(); moveCell(-1); return; }
      return;
    }
    if (e.key === "Escape") {
      var cell = target.closest && target.closest("[data-cell]");
      if (cell) { e.preventDefault(); cell.querySelector("h3").focus(); return; }
      if (helpReturn && document.getElementById("control-keys").contains(target)) { e.preventDefault(); toggleHelp(); }
      return;
    }
    if (typingIn(target)) { return; }
    if (e.key === "?") { e.preventDefault(); toggleHelp(); return; }
    if (e.key === " " || e.key === "Spacebar") {
      if (pressable(target)) { return; }  // Space presses the focused button, as always
      e.preventDefault(); sendSpeaking("stop", uuid(), 0); return;
    }
    if (/^[0-9]$/.test(e.key)) {
      e.preventDefault();
      if (e.key === "0") { sendSpeaking("stop", uuid(), 0); } else { speak(parseInt(e.key, 10)); }
      return;
    }
    switch (e.key.toLowerCase()) {
      case "n": e.preventDefault(); step("next"); break;
      case "p": e.preventDefault(); step("prev"); break;
      case "a": if (pub.on_air) { e.preventDefault(); showScreen(pub.on_air.item, true); } break;
      case "j": e.preventDefault(); moveCell(1); break;
      case "k": e.preventDefault(); moveCell(-1); break;
      default: break;
    }
  });
})();
