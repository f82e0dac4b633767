// Small helpers every page may use; pages work without them where they can.
"use strict";
(function () {
  // Forms and buttons marked data-confirm ask before they act.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  // Elements with data-refresh-url are refreshed from that URL (a JSON fragment
  // {"html": ...}) every data-refresh-ms until the answer says "final": true.
  function poll(el) {
    var url = el.getAttribute("data-refresh-url");
    var every = parseInt(el.getAttribute("data-refresh-ms") || "1000", 10);
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (doc) {
        if (!doc) { return; }
        el.innerHTML = doc.html;
        if (!doc.final) { window.setTimeout(function () { poll(el); }, every); }
      })
      .catch(function () { window.setTimeout(function () { poll(el); }, every * 3); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-refresh-url]").forEach(function (el) {
      var every = parseInt(el.getAttribute("data-refresh-ms") || "1000", 10);
      window.setTimeout(function () { poll(el); }, every);
    });
  });
  window.globusLocal = { csrf: function () {
    var meta = document.querySelector('input[name="csrf_token"]');
    return meta ? meta.value : "";
  } };
})();
