// Collections: a role or access rule form shows only the fields its "Who" choice needs.
"use strict";
(function () {
  function sync(form) {
    var kind = form.querySelector("[data-principal-type]").value;
    form.querySelectorAll("[data-for]").forEach(function (field) {
      var shown = field.getAttribute("data-for") === kind;
      field.hidden = !shown;
      field.querySelectorAll("input, select").forEach(function (input) { input.disabled = !shown; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-principal-form]").forEach(function (form) {
      sync(form);
      form.querySelector("[data-principal-type]").addEventListener("change", function () { sync(form); });
    });
  });
})();
