// The cluster board (workshops/wall/_panel_cluster.html): drag-and-drop and a keyboard "grab" mode
// on top of the plain "Put into…" forms, which work without this file. Both send the card's own
// form (same URL, same fields) with Accept: application/json, then refresh the wall.
// Needs static/vendor/Sortable.min.js (SortableJS 1.15.7) loaded before it.
(function () {
  "use strict";

  function board(el) { return el.closest("[data-cluster]"); }

  function say(root, text) {
    var region = root && root.querySelector("[data-cluster-status]");
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function message(root, name, values) {
    var text = (root && root.getAttribute("data-msg-" + name)) || "";
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  function refresh() {
    // The room's wall.js refetches #wall-live when the version grows (the write published it);
    // without it (a page of its own), reload: the server's state is the truth either way.
    if (window.ConcertoWall && typeof window.ConcertoWall.refresh === "function") {
      window.ConcertoWall.refresh();
    } else {
      window.location.reload();
    }
  }

  // Send the card's "Put into…" form with the theme of the column it was dropped in.
  function sendGroup(card, themeId) {
    var form = card.querySelector("[data-group-form]");
    var root = board(card);
    if (!form) { return; }
    var data = new FormData(form);
    data.set("theme", themeId || "");
    data.set("new_name", "");
    return fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.message || ""); }
        say(root, message(root, "moved", { theme: columnName(themeId, root) }));
        refresh();
      });
    }).catch(function (error) {
      say(root, error.message || message(root, "failed"));
      window.setTimeout(refresh, 1500);
    });
  }

  function columnName(themeId, root) {
    var list = root.querySelector('.cluster-cards[data-theme="' + (themeId || "") + '"]');
    var heading = list && list.closest(".cluster-column").querySelector("h3");
    return heading ? heading.firstChild.textContent.trim() : "";
  }

  function initSortable(root) {
    if (typeof window.Sortable === "undefined") { return; }
    root.querySelectorAll(".cluster-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "cluster-" + (root.getAttribute("data-cluster") || "wall"),
        animation: 120,
        // Form controls inside a card keep working: dragging starts from the card's text only.
        filter: "input, select, textarea, button, summary, label, option",
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.from === event.to) { return; }
          sendGroup(event.item, event.to.getAttribute("data-theme"));
        }
      });
    });
  }

  // Keyboard "grab": Space on a card picks it up, arrows choose a column, Enter drops, Escape cancels.
  function initGrab(root) {
    var grabbed = null, columns = [], index = 0, start = 0;

    function lists() { return Array.prototype.slice.call(root.querySelectorAll(".cluster-cards")); }

    function show(prefix) {
      columns.forEach(function (l, i) { l.classList.toggle("cluster-drop-target", i === index); });
      var over = message(root, "over", { theme: columnName(columns[index].getAttribute("data-theme"), root),
                                         n: index + 1, total: columns.length });
      say(root, prefix ? prefix + " " + over : over);
    }

    function release() {
      columns.forEach(function (l) { l.classList.remove("cluster-drop-target"); });
      if (grabbed) { grabbed.classList.remove("cluster-grabbed"); grabbed.setAttribute("aria-grabbed", "false"); }
      grabbed = null;
    }

    root.addEventListener("keydown", function (event) {
      var card = event.target.closest && event.target.closest(".cluster-card");
      if (!card || event.target !== card) { return; }  // keys inside the card's forms are theirs
      if (!grabbed && (event.key === " " || event.key === "Spacebar")) {
        event.preventDefault();
        grabbed = card;
        columns = lists();
        index = start = Math.max(0, columns.indexOf(card.parentElement));
        card.classList.add("cluster-grabbed");
        card.setAttribute("aria-grabbed", "true");
        show(message(root, "grabbed"));
      } else if (grabbed === card && /^Arrow(Left|Right|Up|Down)$/.test(event.key)) {
        event.preventDefault();
        var step = (event.key === "ArrowLeft" || event.key === "ArrowUp") ? -1 : 1;
        index = (index + step + columns.length) % columns.length;
        show();
      } else if (grabbed === card && event.key === "Enter") {
        event.preventDefault();
        var target = columns[index];
        release();
        if (index !== start) {
          target.appendChild(card);
          card.focus();
          sendGroup(card, target.getAttribute("data-theme"));
        } else {
          say(root, message(root, "cancelled"));
        }
      } else if (grabbed === card && event.key === "Escape") {
        event.preventDefault();
        release();
        say(root, message(root, "cancelled"));
      }
    });
    root.addEventListener("focusout", function (event) {
      if (grabbed && event.target === grabbed && !grabbed.contains(event.relatedTarget)) { release(); }
    });
  }

  function init(scope) {
    (scope || document).querySelectorAll("[data-cluster]:not([data-cluster-ready])").forEach(function (root) {
      root.setAttribute("data-cluster-ready", "");
      initSortable(root);
      initGrab(root);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    // The wall's live part is replaced when the version grows: set up the new board too.
    new MutationObserver(function () { init(document); }).observe(document.body, { childList: true, subtree: true });
  });
})();
