// The overlays (browser sources of the mixing software): redraw from each newer public state.
// The page itself is whole on every load; show.js reopens a dead or silent stream, so a frozen
// source recovers by itself, and a reload always shows the current state.
(function () {
  "use strict";
  var S = window.ConcertoShow;
  var root = document.getElementById("overlay");
  if (!S || !root) { return; }
  var labels = S.json("live-labels");
  var first = S.json("live-state");
  if (!labels || !first) { return; }
  var kind = root.getAttribute("data-kind");
  var state = first;

  function part(name) { return root.querySelector('[data-part="' + name + '"]'); }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function lowerThird() {
    var a = state.on_air;
    var cands = S.byId(state);
    var who = state.speaking && cands[state.speaking.candidate];
    part("lt-action").hidden = !a;
    part("lt-theme").textContent = a ? a.theme : "";
    part("lt-title").textContent = a ? a.title : "";
    part("lt-speaker").hidden = !who;
    part("lt-name").textContent = who ? who.name : "";
    part("lt-list").textContent = who ? who.list : "";
    var pos = who && a ? S.position(state, a.item, who.id) : null;
    var tag = part("lt-stance");
    tag.hidden = !pos;
    tag.className = "stance" + (pos ? " stance-" + pos.stance : "");
    tag.textContent = pos ? (labels.stances[pos.stance] || pos.stance) : "";
    part("lt-question").hidden = !state.question;
    part("lt-question").textContent = state.question ? state.question.text : "";
    part("lower-third").hidden = !a && !who && !state.question;
  }

  function reactions() {
    var list = part("reactions");
    clear(list);
    list.hidden = !state.on_air;
    S.replyOrder(state).forEach(function (c) {
      var li = S.el("li", "reaction");
      li.appendChild(S.el("span", "reaction-name", c.name));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(S.stanceTag(labels, S.position(state, state.on_air.item, c.id)));
      list.appendChild(li);
    });
  }

  // Speaking-time totals, the running turn counted from the server's "now" and "since".
  var received = Date.now();
  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var s = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (s < 10 ? "0" : "") + s;
  }
  function times() {
    var list = part("times");
    clear(list);
    var running = 0;
    if (state.speaking && state.now && state.speaking.since) {
      running = (Date.parse(state.now) - Date.parse(state.speaking.since) + (Date.now() - received)) / 1000;
    }
    state.candidates.forEach(function (c) {
      var speaking = state.speaking && state.speaking.candidate === c.id;
      var li = S.el("li", "time-row" + (speaking ? " is-speaking" : ""));
      li.appendChild(S.el("span", "time-name", c.name));
      li.appendChild(document.createTextNode(" "));
      var total = (state.totals[String(c.id)] || 0) + (speaking ? running : 0);
      li.appendChild(S.el("span", "time-value", clock(total)));
      list.appendChild(li);
    });
  }

  var draw = { "lower-third": lowerThird, "reactions": reactions, "times": times }[kind];
  if (!draw) { return; }
  if (kind === "times") { window.setInterval(function () { if (state.speaking) { times(); } }, 1000); }
  // LIVE_HEARTBEAT_SECONDS is 15: 40 s without a message is a dead or idle stream, simply reopened.
  S.follow(root, function (next) { state = next; received = Date.now(); draw(); }, 40000);
})();
