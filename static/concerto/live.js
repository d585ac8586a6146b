// Live updates (docs/live.md): elements marked data-live-topic="<kind>:<id>" data-live-key="<field>"
// take the field's value from the topic's latest state. One EventSource per tab for all its topics;
// the browser reconnects by itself and sends Last-Event-ID, the server sends what was missed.
// Without this file (or JavaScript) the page shows the exact state on reload.
//
// No aria-live here, on purpose: a busy action's count may change every second, and a polite live
// region would read every change to screen-reader users. The new value is simply there when they
// reach it; a person's own support is announced by the support box's status message (app.js).
(function () {
  "use strict";
  if (!window.EventSource || !window.JSON) { return; }
  var elements = document.querySelectorAll("[data-live-topic]");
  if (!elements.length) { return; }
  var lang = document.documentElement.lang || "fr";
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  var topics = [];
  elements.forEach(function (el) {
    var topic = el.getAttribute("data-live-topic");
    if (topics.indexOf(topic) < 0 && topics.length < 20) { topics.push(topic); }
  });

  function number(n) {
    try { return Number(n).toLocaleString(lang); } catch (e) { return String(n); }
  }

  function render(el, value) {
    var one = el.getAttribute("data-live-one");
    var other = el.getAttribute("data-live-other");
    if (one && other) {
      // The two translated forms from the page ("1 soutien", "2 soutiens"), the number replaced.
      var form = plural && plural.select(value) === "one" ? one : other;
      el.textContent = form.replace(/\d+/, number(value));
    } else {
      el.textContent = number(value);
    }
  }

  function apply(message) {
    var event;
    try { event = JSON.parse(message.data); } catch (e) { return; }
    if (!event || !event.d) { return; }
    // Scripts with richer states (the workshop wall, wall.js) read the same stream from here:
    // one EventSource per tab.
    document.dispatchEvent(new CustomEvent("concerto:live", { detail: event }));
    // Elements are looked up each time: htmx may have replaced the support box since.
    document.querySelectorAll("[data-live-topic]").forEach(function (el) {
      if (el.getAttribute("data-live-topic") !== event.t) { return; }
      var value = event.d[el.getAttribute("data-live-key")];
      if (typeof value === "number" && el.getAttribute("data-live-value") !== String(value)) {
        el.setAttribute("data-live-value", String(value));
        render(el, value);
      }
    });
  }

  var query = topics.map(function (t) { return "t=" + encodeURIComponent(t); }).join("&");
  var source = null;
  function connect() {
    source = new EventSource("/flux/?" + query);
    source.onmessage = apply;
  }
  connect();
  // A refused stream (a 404 or 400, not an event stream) is not retried by the browser: the page
  // stays as it was rendered. A dropped connection is retried (the server's "retry:" hint).
  // Leaving the page closes the stream; coming back to it from the history cache opens a new one
  // (which starts with the current state).
  window.addEventListener("pagehide", function () { if (source) { source.close(); source = null; } });
  window.addEventListener("pageshow", function (e) { if (e.persisted && !source) { connect(); } });
})();
