// Kompas office console: small improvements on top of pages that work
// without JavaScript. The editor's phone preview follows what is typed, and
// an error summary takes the focus so that screen readers announce it.
(function () {
  "use strict";
  function preview() {
    document.querySelectorAll("[data-preview]").forEach(function (input) {
      var name = input.getAttribute("data-preview");
      var out = document.querySelector('[data-preview-out="' + name + '"]');
      if (!out) { return; }
      var fallback = out.textContent;
      var update = function () {
        var value = input.tagName === "SELECT" ? input.options[input.selectedIndex].text : input.value;
        out.textContent = input.value.trim() ? value : fallback;
      };
      input.addEventListener("input", update);
      input.addEventListener("change", update);
    });
  }
  function focusSummary() {
    var summary = document.querySelector("[data-focus]");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { preview(); focusSummary(); });
}());
