// Progressive enhancement only: every form works without this file.

// Screen readers only announce changes to a live region that was already on the page: the
// status messages inside a box htmx has just inserted are not read. One polite region, created
// when the page loads, repeats them.
var liveRegion = document.createElement("div");
liveRegion.id = "live-status";
liveRegion.className = "visually-hidden";
liveRegion.setAttribute("role", "status");
(document.getElementById("main") || document.body).appendChild(liveRegion);

function announce(text) {
  liveRegion.textContent = "";
  window.setTimeout(function () { liveRegion.textContent = text; }, 100);
}

function textOf(root, selector) {
  var el = root.querySelector(selector);
  return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
}

document.addEventListener("htmx:afterSwap", function (event) {
  var id = event.detail.target && event.detail.target.id;
  if (id === "results") {
    // The filter form replaced the results: say how many there are now.
    var results = document.getElementById("results");
    if (results) { announce(textOf(results, "h2")); }
    return;
  }
  // After htmx replaces a support box (outerHTML swap), keep keyboard focus inside the new box.
  if (!id || id.indexOf("support-") !== 0) { return; }
  var box = document.getElementById(id);
  if (!box) { return; }
  announce([textOf(box, "[role=status]"), textOf(box, ".support-count")].join(" ").trim());
  var target = box.querySelector("button") || box.querySelector("[role=status]");
  if (!target) { return; }
  if (target.tagName !== "BUTTON") { target.setAttribute("tabindex", "-1"); }
  target.focus();
});
