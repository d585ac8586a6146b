// The ambassador's offline app (templates/fieldwork/app.html, docs/fieldwork-app.md).
//
// Every visit is saved in IndexedDB (Dexie, static/vendor/dexie.min.js) before anything else, with
// the id the phone draws for it (crypto.randomUUID) and its content frozen: a replay sends the very
// same record, which the server answers "already". A record leaves the queue only when the server
// answered "created" or "already" for it; "conflict" and "refused" stay, with the server's sentence.
// Sending: when the network returns, on demand, and every few minutes, in batches, retried after
// 60 s then twice as long each time, never giving up.
(function () {
  "use strict";

  var root = document.getElementById("doors-app");
  if (!root || typeof Dexie === "undefined") { return; }
  root.classList.add("doors-ready");

  var S = JSON.parse(root.dataset.strings);
  var cfg = {
    slug: root.dataset.slug, dataUrl: root.dataset.dataUrl, syncUrl: root.dataset.syncUrl,
    worker: root.dataset.worker, scope: root.dataset.scope,
    retry: Math.max(1, parseInt(root.dataset.retrySeconds, 10) || 60),
    batch: Math.max(1, parseInt(root.dataset.batchSize, 10) || 25)
  };
  var RETRY_MAX = 3600; // seconds between tries, at most (still never giving up)
  var OLD_MS = 24 * 3600 * 1000;

  function t(key, vars) {
    var text = S[key] || key;
    Object.keys(vars || {}).forEach(function (k) { text = text.split("%(" + k + ")s").join(String(vars[k])); });
    return text;
  }
  function $(id) { return document.getElementById(id); }
  function hhmm(iso) {
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // --- storage -----------------------------------------------------------------------------------

  var db = new Dexie("concerto-terrain-" + cfg.slug);
  db.version(1).stores({ queue: "id, state, saved_at", meta: "key" });

  function metaGet(key) { return db.meta.get(key).then(function (row) { return row ? row.value : undefined; }); }
  function metaSet(key, value) { return db.meta.put({ key: key, value: value }); }

  var state = { data: null, csrf: "", warnings: {}, door: null, failures: 0, timer: null, sending: null };

  function warn(key, on, text) {
    if (on) { state.warnings[key] = text || t(key); } else { delete state.warnings[key]; }
    var list = $("doors-warnings");
    list.textContent = "";
    Object.keys(state.warnings).forEach(function (k) { list.appendChild(el("li", { "data-warning": k }, state.warnings[k])); });
  }

  function askPersistence() {
    if (!navigator.storage || !navigator.storage.persist) { return; }
    navigator.storage.persisted().then(function (already) {
      return already || navigator.storage.persist();
    }).then(function (granted) { warn("persist_denied", !granted); }).catch(function () {});
  }

  function installAdvice() {
    var standalone = window.matchMedia && window.matchMedia("(display-mode: standalone)").matches;
    warn("install", !(standalone || window.navigator.standalone === true));
  }

  // --- the counter ---------------------------------------------------------------------------------

  function refreshCounter() {
    return Promise.all([db.queue.toArray(), metaGet("last_sync")]).then(function (r) {
      var rows = r[0];
      var waiting = rows.filter(function (x) { return x.state === "waiting"; });
      var stuck = rows.length - waiting.length;
      var text = t("waiting", { n: waiting.length }) + " · " +
        (r[1] ? t("last_sync", { time: hhmm(r[1]) }) : t("never_sent"));
      if (stuck) { text += " · " + t("stuck", { n: stuck }); }
      $("doors-counter").textContent = text;
      $("doors-tab-count").textContent = String(rows.length);
      var oldest = waiting.reduce(function (m, x) { return Math.min(m, Date.parse(x.saved_at)); }, Infinity);
      warn("old_waiting", Date.now() - oldest > OLD_MS);
      renderQueue(rows);
      return waiting.length;
    });
  }

  function showNetwork() {
    var node = $("doors-network");
    node.textContent = navigator.onLine ? t("online") : t("offline");
    node.classList.toggle("is-offline", !navigator.onLine);
  }

  // --- screens ------------------------------------------------------------------------------------

  function show(screen) {
    ["round", "visit", "queue"].forEach(function (name) { $("screen-" + name).hidden = name !== screen; });
    document.querySelectorAll(".doors-tab").forEach(function (tab) {
      if (tab.dataset.screen === screen) { tab.setAttribute("aria-current", "page"); } else { tab.removeAttribute("aria-current"); }
    });
    if (screen === "visit") { $("visit-address").focus(); }
  }

  // --- the data taken along ----------------------------------------------------------------------

  function refreshData() {
    return fetch(cfg.dataUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (r) {
        if (!r.ok) { warn("server", true, r.body.message || ""); return; }
        warn("server", false);
        return metaSet("data", r.body).then(function () { return useData(r.body); });
      })
      .catch(function () { /* no network: the copy on the phone serves */ });
  }

  function useData(data) {
    state.data = data;
    state.csrf = data.csrf_token || state.csrf;
    $("doors-data-at").textContent = t("data_at", { time: hhmm(data.generated_at) });
    warn("no_data", false);
    warn("no_consent", !data.consent);
    warn("no_device", !data.device);
    warn("phase_closed", data.door_phase_open === false);
    return renderRounds();
  }

  function renderRounds() {
    var box = $("doors-rounds");
    box.textContent = "";
    var data = state.data;
    if (!data) { return; }
    if (!data.rounds.length) { box.appendChild(el("p", { "class": "doors-help" }, t("no_round"))); return; }
    return metaGet("visited").then(function (visited) {
      visited = visited || {};
      data.rounds.forEach(function (round) {
        var section = el("section", { "class": "doors-round", "aria-labelledby": "round-" + round.id });
        var day = new Date(round.day + "T12:00:00").toLocaleDateString(document.documentElement.lang || "fr",
          { weekday: "long", day: "numeric", month: "long" });
        section.appendChild(el("h3", { id: "round-" + round.id }, t("round_of", { day: day })));
        if (round.note) { section.appendChild(el("p", { "class": "doors-help" }, round.note)); }
        var groups = [
          [t("priority"), round.doors.filter(function (d) { return d.unused_code; })],
          [t("others"), round.doors.filter(function (d) { return !d.unused_code; })]
        ];
        groups.forEach(function (group) {
          if (!group[1].length) { return; }
          section.appendChild(el("p", { "class": "doors-help" }, group[0]));
          var list = el("ul", { "class": "doors-doors" });
          group[1].forEach(function (door) {
            var seen = visited[round.day + ":" + door.household];
            var button = el("button", { type: "button", "class": "doors-button doors-door" + (seen ? " is-visited" : "") });
            button.appendChild(el("span", {}, [door.address, door.address_more, door.postcode + " " + door.city]
              .filter(Boolean).join(" · ")));
            if (door.unused_code) { button.appendChild(el("span", { "class": "doors-tag" }, t("unused_code"))); }
            if (seen) { button.appendChild(el("span", { "class": "doors-tag is-done" }, t("visited"))); }
            button.addEventListener("click", function () { startVisit({ round: round, door: door }); });
            var item = el("li");
            item.appendChild(button);
            list.appendChild(item);
          });
          section.appendChild(list);
        });
        box.appendChild(section);
      });
    });
  }

  // --- the visit form ------------------------------------------------------------------------------

  var form = $("visit-form");
  var residents = $("visit-residents");
  var counter = 0;

  function startVisit(choice) {
    form.reset();
    residents.textContent = "";
    $("visit-error").textContent = "";
    state.door = choice || null;
    var address = $("visit-address");
    if (choice) {
      address.value = [choice.door.address, choice.door.address_more].filter(Boolean).join(" ");
      $("visit-door").textContent = choice.door.postcode + " " + choice.door.city +
        (choice.door.sector ? " · " + choice.door.sector : "");
    } else {
      $("visit-door").textContent = "";
    }
    outcomeChanged();
    show("visit");
  }

  function outcomeChanged() {
    var outcome = form.querySelector("input[name=outcome]:checked");
    var talked = outcome && outcome.value === "talked";
    $("visit-residents-box").hidden = !talked;
    if (talked && !residents.children.length) { addResident(); }
  }

  function relabel() {
    Array.prototype.forEach.call(residents.children, function (node, i) {
      node.querySelector(".doors-resident-title").textContent = t("resident", { n: i + 1 });
    });
  }

  function wire(node, prefix) {
    // Ids for the labels of a cloned template (unique on the page).
    node.querySelectorAll("[data-id]").forEach(function (input) { input.id = prefix + "-" + input.dataset.id; });
    node.querySelectorAll("label[data-for]").forEach(function (label) { label.htmlFor = prefix + "-" + label.dataset.for; });
  }

  function addProposal(box) {
    var node = $("proposal-template").firstElementChild.cloneNode(true);
    wire(node, "p" + (++counter));
    box.appendChild(node);
    return node;
  }

  function addResident() {
    var data = state.data;
    var limit = data ? data.limits.participants : 8;
    if (residents.children.length >= limit) { return; }
    var node = $("resident-template").firstElementChild.cloneNode(true);
    var prefix = "r" + (++counter);
    wire(node, prefix);
    var consent = data && data.consent;
    node.querySelector(".doors-consent-text").textContent = consent ? consent.text : t("no_consent");
    node.querySelector(".doors-consent-version").textContent = consent ? "v" + consent.version : "";
    var accept = node.querySelector(".doors-accept");
    accept.disabled = !consent;
    accept.addEventListener("click", function () {
      var on = accept.getAttribute("aria-pressed") !== "true";
      accept.setAttribute("aria-pressed", on ? "true" : "false");
      node.dataset.consentAt = on ? new Date().toISOString() : "";
      node.querySelector(".doors-personal").disabled = !on;
    });
    fillSupports(node.querySelector(".doors-support-list"), node.querySelector("[data-id=search]"),
      (data && data.actions) || []);
    var profile = node.querySelector(".doors-profile");
    ((data && data.profile_questions) || []).forEach(function (q, i) {
      var id = prefix + "-q" + i;
      var field = el("div", { "class": "doors-field" });
      field.appendChild(el("label", { "for": id }, q.label));
      var select = el("select", { id: id, "data-question": q.code });
      select.appendChild(el("option", { value: "" }, "—"));
      q.options.forEach(function (o) { select.appendChild(el("option", { value: o.code }, o.label)); });
      field.appendChild(select);
      profile.appendChild(field);
    });
    var proposals = node.querySelector(".doors-proposals");
    addProposal(proposals);
    node.querySelector(".doors-add-proposal").addEventListener("click", function () {
      if (proposals.children.length < ((data && data.limits.proposals) || 5)) { addProposal(proposals).querySelector("textarea").focus(); }
    });
    node.querySelector(".doors-remove").addEventListener("click", function () { node.remove(); relabel(); });
    residents.appendChild(node);
    relabel();
    return node;
  }

  function fold(text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }

  // A campaign may offer a couple of hundred actions: grouped by theme (closed), and a search box
  // that opens the groups holding the matching titles.
  function fillSupports(list, search, actions) {
    var groups = [];
    var byName = {};
    actions.forEach(function (action) {
      var name = action.theme ? action.theme.name : t("no_theme");
      if (!byName[name]) {
        var details = el("details", { "class": "doors-theme" });
        var summary = el("summary", {}, name);
        var count = el("span", { "class": "doors-theme-count" });
        summary.appendChild(count);
        details.appendChild(summary);
        byName[name] = { details: details, count: count, total: 0 };
        groups.push(byName[name]);
      }
      var group = byName[name];
      group.total += 1;
      var label = el("label", { "class": "doors-choice doors-action", "data-title": fold(action.title) });
      label.appendChild(el("input", { type: "checkbox", value: String(action.id), "data-support": "" }));
      label.appendChild(document.createTextNode(" " + action.title));
      group.details.appendChild(label);
    });
    function counts() {
      groups.forEach(function (g) {
        var chosen = g.details.querySelectorAll("input:checked").length;
        g.count.textContent = " · " + g.total + (chosen ? " · " + t("chosen", { n: chosen }) : "");
      });
    }
    groups.forEach(function (g) { list.appendChild(g.details); });
    list.addEventListener("change", counts);
    counts();
    search.addEventListener("input", function () {
      var words = fold(search.value).split(/\s+/).filter(Boolean);
      groups.forEach(function (g) {
        var any = false;
        g.details.querySelectorAll(".doors-action").forEach(function (label) {
          var match = words.every(function (w) { return label.dataset.title.indexOf(w) >= 0; });
          label.hidden = !match && !label.querySelector("input").checked;
          any = any || (match && words.length > 0);
        });
        g.details.open = any;
      });
    });
  }

  function titleOf(text) {
    if (text.length <= 140) { return text; }
    var cut = text.slice(0, 139);
    var space = cut.lastIndexOf(" ");
    return (space > 60 ? cut.slice(0, space) : cut) + "…";
  }

  function readVisit() {
    var address = $("visit-address").value.trim();
    var outcome = form.querySelector("input[name=outcome]:checked");
    if (!address) { throw new Error(t("address_required")); }
    if (!outcome) { throw new Error(t("outcome_required")); }
    var now = new Date().toISOString();
    var consent = state.data && state.data.consent;
    var people = [];
    if (outcome.value === "talked") {
      Array.prototype.forEach.call(residents.children, function (node) {
        if (node.querySelector(".doors-accept").getAttribute("aria-pressed") !== "true" || !consent) {
          throw new Error(t("consent_first"));
        }
        var proposals = [];
        node.querySelectorAll(".doors-proposal").forEach(function (p) {
          var text = p.querySelector("textarea").value.replace(/\s+/g, " ").trim();
          if (!text) { return; }
          if (text.length < 10) { throw new Error(t("proposal_short")); }
          if (!p.querySelector("input[type=checkbox]").checked) { throw new Error(t("proposal_read_back")); }
          proposals.push({ title: titleOf(text), summary: text.slice(0, 300), read_back: true });
        });
        var profile = {};
        node.querySelectorAll("select[data-question]").forEach(function (s) { if (s.value) { profile[s.dataset.question] = s.value; } });
        people.push({
          id: uuid(),
          initials: node.querySelector("[data-id=initials]").value.trim().slice(0, 40),
          profile: profile,
          supports: Array.prototype.map.call(node.querySelectorAll("input[data-support]:checked"),
            function (box) { return parseInt(box.value, 10); }),
          proposals: proposals,
          wants_post: node.querySelector("[data-id=post]").checked,
          code: node.querySelector("[data-id=code]").value.trim().slice(0, 20),
          consent: { given: true, version: consent.version, text_hash: consent.text_hash, at: node.dataset.consentAt || now }
        });
      });
    }
    var door = state.door;
    return {
      id: uuid(), captured_at: now, outcome: outcome.value, address: address,
      household: door ? door.door.household : null, round: door ? door.round.id : null, participants: people
    };
  }

  function saveVisit(event) {
    event.preventDefault();
    var record;
    try { record = readVisit(); } catch (error) { $("visit-error").textContent = error.message; return; }
    var row = { id: record.id, state: "waiting", saved_at: record.captured_at, record: record };
    var door = state.door;
    // Saved on the phone first: nothing else happens before this write succeeded.
    db.transaction("rw", db.queue, db.meta, function () {
      return db.queue.add(row).then(function () {
        if (!door) { return null; }
        return metaGet("visited").then(function (visited) {
          visited = visited || {};
          visited[door.round.day + ":" + door.door.household] = record.captured_at;
          return metaSet("visited", visited);
        });
      });
    }).then(function () {
      form.reset();
      residents.textContent = "";
      state.door = null;
      announce(t("saved"));
      show("round");
      renderRounds();
      return refreshCounter();
    }).then(function () { if (navigator.onLine) { sync(false); } })
      .catch(function (error) { $("visit-error").textContent = t("no_storage") + " (" + error.message + ")"; });
  }

  function announce(text) {
    var node = $("doors-counter");
    node.setAttribute("data-last", text);
    var live = document.getElementById("live-status");
    if (live) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 50); }
  }

  // --- sending --------------------------------------------------------------------------------------

  function schedule(seconds) {
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(function () { state.timer = null; sync(false); }, seconds * 1000);
    var at = new Date(Date.now() + seconds * 1000).toISOString();
    metaSet("next_try", at);
    $("doors-network").textContent = (navigator.onLine ? t("online") : t("offline")) + " " + t("retry_at", { time: hhmm(at) });
  }

  function failed() {
    state.failures += 1;
    // 60 s, then twice as long each time (at most an hour between two tries), never giving up.
    schedule(Math.min(RETRY_MAX, cfg.retry * Math.pow(2, state.failures - 1)));
  }

  function post(records, retried) {
    return fetch(cfg.syncUrl, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": state.csrf },
      body: JSON.stringify({ records: records })
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.status === 403 && !json && !retried) {
        // The CSRF check failed (a new session since the token was kept): take a fresh token, once.
        return refreshData().then(function () { return post(records, true); });
      }
      return (json ? response.json() : Promise.resolve({})).then(function (body) {
        return { status: response.status, ok: response.ok, body: body };
      });
    });
  }

  function apply(results) {
    return db.transaction("rw", db.queue, function () {
      return Promise.all(results.map(function (r) {
        if (!r || typeof r.id !== "string") { return null; }
        if (r.status === "created" || r.status === "already") { return db.queue.delete(r.id); }
        if (r.status === "conflict" || r.status === "refused") {
          return db.queue.update(r.id, { state: r.status, code: r.code || "", message: r.message || "" });
        }
        return null;
      }));
    });
  }

  function sendAll() {
    return db.queue.where("state").equals("waiting").sortBy("saved_at").then(function (rows) {
      if (!rows.length) { return false; }
      $("doors-network").textContent = t("sending");
      var chunks = [];
      for (var i = 0; i < rows.length; i += cfg.batch) { chunks.push(rows.slice(i, i + cfg.batch)); }
      return chunks.reduce(function (previous, chunk) {
        return previous.then(function () {
          return post(chunk.map(function (row) { return row.record; })).then(function (r) {
            if (!r.ok || !Array.isArray(r.body.results)) {
              warn("server", true, (r.body && r.body.message) || t("offline"));
              throw new Error("refused");
            }
            warn("server", false);
            return apply(r.body.results);
          });
        });
      }, Promise.resolve()).then(function () { return true; });
    });
  }

  function sync(manual) {
    if (state.sending) { return state.sending; }
    if (manual) { state.failures = 0; }
    var run = function () {
      return sendAll().then(function (sent) {
        state.failures = 0;
        window.clearTimeout(state.timer);
        state.timer = null;
        showNetwork();
        // "Last sending": the last time visits were actually sent and answered.
        return (sent ? metaSet("last_sync", new Date().toISOString()) : Promise.resolve()).then(function () { return true; });
      }, function () {
        failed();
        return false;
      });
    };
    // One sending at a time, also across the app's tabs (each record is idempotent anyway).
    var locked = navigator.locks ? navigator.locks.request("concerto-terrain-sync-" + cfg.slug, run) : run();
    state.sending = locked.then(function (ok) {
      state.sending = null;
      return refreshCounter().then(function (left) { if (ok && !left) { announce(t("sent_all")); } return ok; });
    });
    return state.sending;
  }

  // --- the queue screen and its file -------------------------------------------------------------

  var OUTCOMES = {};
  form.querySelectorAll("input[name=outcome]").forEach(function (input) {
    OUTCOMES[input.value] = input.parentNode.textContent.trim();
  });

  function renderQueue(rows) {
    var list = $("doors-queue");
    list.textContent = "";
    rows.sort(function (a, b) { return a.saved_at < b.saved_at ? -1 : 1; }).forEach(function (row) {
      var item = el("li", { "data-state": row.state });
      var who = row.record.participants.length;
      item.appendChild(el("span", {}, hhmm(row.saved_at) + " · " + row.record.address + " · " +
        (OUTCOMES[row.record.outcome] || row.record.outcome) + (who ? " · " + t("people", { n: who }) : "") + " · "));
      item.appendChild(el("span", { "class": "doors-state is-" + row.state },
        row.state === "waiting" ? t("waiting_one") : t(row.state)));
      if (row.message) { item.appendChild(el("span", { "class": "doors-message" }, row.message)); }
      list.appendChild(item);
    });
  }

  function download() {
    db.queue.toArray().then(function (rows) {
      var file = {
        campaign: cfg.slug, exported_at: new Date().toISOString(),
        records: rows.map(function (row) { return { state: row.state, message: row.message || "", record: row.record }; })
      };
      var blob = new Blob([JSON.stringify(file, null, 2)], { type: "application/json" });
      var link = el("a", { href: URL.createObjectURL(blob),
        download: t("download_name") + "-" + cfg.slug + "-" + file.exported_at.slice(0, 10) + ".json" });
      document.body.appendChild(link);
      link.click();
      window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    });
  }

  // --- start ----------------------------------------------------------------------------------------

  document.querySelectorAll(".doors-tab").forEach(function (tab) {
    tab.addEventListener("click", function () {
      if (tab.dataset.screen === "visit" && $("screen-visit").hidden) { startVisit(null); } else { show(tab.dataset.screen); }
    });
  });
  form.addEventListener("submit", saveVisit);
  form.querySelectorAll("input[name=outcome]").forEach(function (input) { input.addEventListener("change", outcomeChanged); });
  $("visit-add-resident").addEventListener("click", function () {
    var node = addResident();
    if (node) { node.querySelector(".doors-accept").focus(); }
  });
  $("visit-cancel").addEventListener("click", function () { form.reset(); residents.textContent = ""; show("round"); });
  $("doors-typed").addEventListener("click", function () { startVisit(null); });
  $("doors-send").addEventListener("click", function () { sync(true); });
  $("doors-refresh").addEventListener("click", function () { refreshData(); });
  $("doors-download").addEventListener("click", download);
  window.addEventListener("online", function () { showNetwork(); refreshData().then(function () { sync(true); }); });
  window.addEventListener("offline", showNetwork);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && navigator.onLine) { sync(false); }
  });
  // Every few minutes, in case an "online" event was missed (a weak signal comes and goes).
  window.setInterval(function () { if (navigator.onLine && !state.timer) { sync(false); } }, Math.max(cfg.retry, 60) * 5000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.worker, { scope: cfg.scope }).catch(function () {});
  }
  showNetwork();
  installAdvice();
  db.open().then(function () {
    askPersistence();
    return metaGet("data");
  }).then(function (data) {
    if (data) { useData(data); } else { warn("no_data", true); }
    return refreshCounter();
  }).then(function () {
    return navigator.onLine ? refreshData().then(function () { return sync(false); }) : null;
  }).catch(function () { warn("no_storage", true); });

  // For the browser tests and the curious: the queue, as the phone holds it.
  window.concertoDoors = { db: db, sync: sync, refreshData: refreshData, cfg: cfg, state: state };
})();
