// What the live page (viewer.js) and the overlays (overlay.js) share: the state and labels the page
// was drawn from, one EventSource on the event's topic, and small DOM helpers.
//
// Every message carries the full public state with its number: a state is applied only when its
// seq is higher than the one shown (a snapshot may race an event, docs/live.md "Limits").
// The browser reconnects by itself with Last-Event-ID; on top of that a watchdog reopens the stream
// when it is closed, when the network comes back, or when nothing came for a long while (a proxy
// may keep a dead connection "open"; heartbeats are SSE comments, invisible to scripts).
(function () {
  "use strict";

  function json(id) {
    var el = document.getElementById(id);
    try { return el ? JSON.parse(el.textContent) : null; } catch (e) { return null; }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function fill(template, values) {
    return String(template).replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function byId(state) {
    var out = {};
    (state.candidates || []).forEach(function (c) { out[c.id] = c; });
    return out;
  }

  function position(state, itemId, candidateId) {
    var row = (state.positions || {})[String(itemId)] || {};
    return row[String(candidateId)] || null;
  }

  function replyOrder(state) {
    if (!state.on_air) { return []; }
    var order = state.on_air.reply_order && state.on_air.reply_order.length ? state.on_air.reply_order
      : (state.candidates || []).map(function (c) { return c.id; });
    var cands = byId(state);
    return order.filter(function (id) { return cands[id]; }).map(function (id) { return cands[id]; });
  }

  function stanceTag(labels, pos) {
    if (!pos) { return el("span", "stance stance-none", labels.not_asked); }
    return el("span", "stance stance-" + pos.stance, labels.stances[pos.stance] || pos.stance);
  }

  // follow(root, onState, quietMs): apply each newer state of root's data-topic. quietMs: reopen the
  // stream after that long without a message (0: never). The overlays use it (a few browser sources
  // that must never stay frozen); the live page does not (thousands of phones reconnecting every
  // few idle seconds would cost the stream processes more than the rare dead connection).
  function follow(root, onState, quietMs) {
    if (!window.EventSource) { return; }
    var topic = root.getAttribute("data-topic");
    var seq = Number(root.getAttribute("data-seq")) || 0;
    var source = null;
    var lastId = "";
    var lastSeen = Date.now();

    function message(m) {
      lastSeen = Date.now();
      if (m.lastEventId) { lastId = m.lastEventId; }
      var event;
      try { event = JSON.parse(m.data); } catch (e) { return; }
      if (!event || event.t !== topic || !event.d || typeof event.d.seq !== "number") { return; }
      if (event.d.seq <= seq) { return; }
      seq = event.d.seq;
      root.setAttribute("data-seq", String(seq));
      onState(event.d);
    }

    function open() {
      if (source) { source.close(); }
      root.setAttribute("data-stream", "opening");
      var url = "/flux/?t=" + encodeURIComponent(topic);
      if (lastId) { url += "&last_event_id=" + encodeURIComponent(lastId); }
      source = new EventSource(url);
      source.onmessage = message;
      // Marked for the browser tests (and anyone debugging a browser source): the stream is open.
      source.onopen = function () { lastSeen = Date.now(); root.setAttribute("data-stream", "open"); };
      source.onerror = function () { root.setAttribute("data-stream", "retrying"); };
      lastSeen = Date.now();
    }

    open();
    window.setInterval(function () {
      if (!source) { return; }
      if (source.readyState === 2 || (quietMs && Date.now() - lastSeen > quietMs)) { open(); }
    }, 1000);
    window.addEventListener("online", function () { if (source && source.readyState !== 1) { open(); } });
    window.addEventListener("pagehide", function () {
      if (source) { source.close(); source = null; root.setAttribute("data-stream", "closed"); }
    });
    window.addEventListener("pageshow", function (e) { if (e.persisted && !source) { open(); } });
  }

  window.ConcertoShow = { json: json, el: el, fill: fill, byId: byId, position: position,
                          replyOrder: replyOrder, stanceTag: stanceTag, follow: follow };
})();
