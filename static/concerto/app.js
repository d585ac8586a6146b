// Progressive enhancement only: every form works without this file.
// After htmx replaces a support box (outerHTML swap), keep keyboard focus inside the new box.
document.addEventListener("htmx:afterSwap", function (event) {
  var id = event.detail.target && event.detail.target.id;
  if (!id || id.indexOf("support-") !== 0) { return; }
  var box = document.getElementById(id);
  if (!box) { return; }
  var target = box.querySelector("button") || box.querySelector("[role=status]");
  if (!target) { return; }
  if (target.tagName !== "BUTTON") { target.setAttribute("tabindex", "-1"); }
  target.focus();
});
