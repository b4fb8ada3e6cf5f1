// Warn before leaving the follow-up screen with changes that have not been saved.
(function () {
  "use strict";
  var dirty = new Set();
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.closest("[data-unsaved-warning]")) { dirty.add(form.id || form); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) { dirty.clear(); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty.size) { event.preventDefault(); event.returnValue = ""; }
  });
})();
