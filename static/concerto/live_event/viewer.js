// The public live page: redraws the parts from each newer public state (show.js brings them).
// Without this script the page is exact on reload. Only the "action on air" line is a live region
// (role=status, written only when another action goes on air): positions, counts and the matrix
// change too often to be read aloud (docs/live.md, "Accessibility").
(function () {
  "use strict";
  var S = window.ConcertoShow;
  var root = document.getElementById("live");
  if (!S || !root) { return; }
  var labels = S.json("live-labels");
  var first = S.json("live-state");
  if (!labels || !first) { return; }
  var onAirItem = first.on_air ? first.on_air.item : null;
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "fr") : null;

  function part(name) { return root.querySelector('[data-part="' + name + '"]'); }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function number(n) {
    try { return Number(n).toLocaleString(document.documentElement.lang || "fr"); } catch (e) { return String(n); }
  }

  function drawOnAir(state) {
    var box = part("on-air");
    clear(box);
    var a = state.on_air;
    if (!a) {
      box.appendChild(S.el("h2", "live-action-title", labels.nothing_on_air));
      return;
    }
    box.appendChild(S.el("p", "live-theme", a.theme));
    box.appendChild(S.el("h2", "live-action-title", a.title));
    if (a.presenter) { box.appendChild(S.el("p", "", S.fill(labels.presented_by, { name: a.presenter }))); }
    var form = plural && plural.select(a.supports) === "one" ? labels.supports_one : labels.supports_other;
    box.appendChild(S.el("p", "live-supports", S.fill(form, { count: number(a.supports) })));
  }

  function drawReplies(state) {
    var list = part("replies");
    clear(list);
    S.replyOrder(state).forEach(function (c) {
      var li = S.el("li", "live-reply");
      li.appendChild(S.el("span", "live-reply-name", c.name));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(S.el("span", "live-reply-list", "(" + c.list + ")"));
      li.appendChild(document.createTextNode(" "));
      var pos = S.position(state, state.on_air.item, c.id);
      li.appendChild(S.stanceTag(labels, pos));
      if (pos && pos.summary) {
        li.appendChild(document.createTextNode(" "));
        li.appendChild(S.el("span", "live-reply-summary", pos.summary));
      }
      list.appendChild(li);
    });
  }

  function drawMatrix(state) {
    var table = part("matrix");
    var head = table.tHead.rows[0];
    while (head.cells.length > 1) { head.deleteCell(1); }
    state.candidates.forEach(function (c) {
      var th = S.el("th", "", c.name);
      th.setAttribute("scope", "col");
      th.appendChild(S.el("span", "live-matrix-list", " (" + c.list + ")"));
      head.appendChild(th);
    });
    var body = table.tBodies[0];
    clear(body);
    state.items.forEach(function (item) {
      var tr = document.createElement("tr");
      if (state.on_air && state.on_air.item === item.id) { tr.className = "is-on-air"; }
      var th = S.el("th", "", item.position + ". " + item.title);
      th.setAttribute("scope", "row");
      tr.appendChild(th);
      state.candidates.forEach(function (c) {
        var td = document.createElement("td");
        var pos = S.position(state, item.id, c.id);
        if (pos) { td.appendChild(S.stanceTag(labels, pos)); } else { td.textContent = labels.not_asked; }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function draw(state) {
    part("status").textContent = labels.status[state.status] || "";
    part("frozen").hidden = !state.frozen;
    var item = state.on_air ? state.on_air.item : null;
    if (item !== onAirItem) {
      onAirItem = item;
      part("announce").textContent = state.on_air ? S.fill(labels.on_air, { title: state.on_air.title })
        : labels.nothing_on_air;
    }
    drawOnAir(state);
    var cands = S.byId(state);
    var who = state.speaking && cands[state.speaking.candidate];
    part("speaking").textContent = who ? S.fill(labels.speaking, { name: who.name, list: who.list })
      : labels.nobody_speaking;
    drawReplies(state);
    part("question").hidden = !state.question;
    part("question-text").textContent = state.question ? state.question.text : "";
    drawMatrix(state);
  }

  S.follow(root, draw, 0);
})();
