// Typing paper forms (fieldwork/paper/entry.html). Progressive enhancement only: without this
// file Enter already saves from every text field; here it also saves from the proposal box
// (Shift+Enter for a new line) and from the tick boxes, so a whole form is typed without the mouse.
(function () {
  var form = document.getElementById("paper-entry-form");
  if (!form) { return; }
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) { return; }
    var target = event.target;
    var saves = (target.tagName === "TEXTAREA" && target.hasAttribute("data-enter-submits")) ||
      (target.tagName === "INPUT" && target.type === "checkbox");
    if (!saves) { return; }
    event.preventDefault();
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
})();
