// Every htmx request carries this session's CSRF token; no inline scripts anywhere (CSP script-src 'self').
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("htmx:configRequest", function (event) {
    if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
  });
  // Buttons and forms with data-confirm ask first (no inline onclick needed).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // A button's own question (a second action in the same form) wins over the form's.
    var question = (event.submitter && event.submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);
  // Select-all checkbox for tables with row checkboxes (bulk actions).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-select-all]")) { return; }
    var scope = document.querySelectorAll('input[name="' + box.getAttribute("data-select-all") + '"]');
    scope.forEach(function (other) { other.checked = box.checked; });
  });
})();
