// File Manager: a "select every item" box per pane, and Start/Delete buttons that say
// how many items they act on. The page works without this script.
"use strict";
(function () {
  function boxes(side) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[type=checkbox][name="' + side + '_item"]'));
  }
  function refresh() {
    ["origin", "destination"].forEach(function (side) {
      var ticked = boxes(side).filter(function (b) { return b.checked; }).length;
      var all = document.querySelector('.fm-all[data-side="' + side + '"]');
      if (all) {
        all.checked = ticked > 0 && ticked === boxes(side).length;
        all.indeterminate = ticked > 0 && !all.checked;
      }
      var del = document.getElementById(side + "-delete");
      if (del) {
        del.textContent = ticked ? "Delete selected (" + ticked + ")" : "Delete selected";
      }
      var start = document.getElementById(side === "origin" ? "start-right" : "start-left");
      if (start && !start.hasAttribute("data-label")) {
        start.setAttribute("data-label", start.textContent);
      }
      if (start) {
        var label = start.getAttribute("data-label");
        start.textContent = ticked ? label + " (" + ticked + ")" : label;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".fm-all").forEach(function (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes(all.getAttribute("data-side")).forEach(function (b) { b.checked = all.checked; });
        refresh();
      });
    });
    document.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches('input[name$="_item"]')) { refresh(); }
    });
    // One tool open at a time per pane.
    document.querySelectorAll(".fm-tool").forEach(function (tool) {
      tool.addEventListener("toggle", function () {
        if (!tool.open) { return; }
        tool.parentNode.querySelectorAll(".fm-tool[open]").forEach(function (other) {
          if (other !== tool) { other.open = false; }
        });
        var field = tool.querySelector("input[type=text], input[type=file]");
        if (field) { field.focus(); }
      });
    });
    refresh();
  });
})();
