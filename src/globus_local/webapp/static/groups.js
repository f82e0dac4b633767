// Groups pages: copy a group's link to share it (a group one may join is reached by its link).
"use strict";
(function () {
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function say(button, text) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = text;
    window.setTimeout(function () { button.textContent = label; }, 2500);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source) { return; }
      button.hidden = false;  // without script the link stays readable and selectable
      button.addEventListener("click", function () {
        var text = source.textContent.trim();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(
            function () { say(button, "Copied"); },
            function () { selectText(source); say(button, "Press Ctrl+C"); });
        } else {
          selectText(source);
          say(button, "Press Ctrl+C");
        }
      });
    });
  });
})();
