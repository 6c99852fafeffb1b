// The presenter screen follows the meeting with conditional polls: the
// server answers 304 without a body while nothing changed, and sends the
// whole state when it did. Shortcuts only change what this screen shows;
// steering (when the lead allowed it) goes through the forms in the bar.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var url = live.getAttribute("data-live");
  var every = 1000 * Number(live.getAttribute("data-poll") || 2);
  var etag = null;
  var bigQr = false;
  // Server time minus this computer's time (the server's clock may be frozen).
  var offset = Date.parse(live.getAttribute("data-now")) - Date.now() || 0;

  function countdown() {
    live.querySelectorAll(".timer[data-ends]").forEach(function (timer) {
      var out = timer.querySelector(".remaining");
      var left = Math.max(0, Math.round((Date.parse(timer.getAttribute("data-ends")) - (Date.now() + offset)) / 1000));
      out.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    });
  }

  function showQr() {
    var overlay = live.querySelector(".qr-overlay");
    if (overlay) { overlay.hidden = !bigQr; }
  }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" }).then(function (response) {
      var date = response.headers.get("X-Kompas-Now") || response.headers.get("Date");
      if (date) { offset = Date.parse(date) - Date.now(); }
      if (response.status === 200) {
        etag = response.headers.get("ETag");
        return response.text().then(function (html) { live.innerHTML = html; countdown(); showQr(); });
      }
      if (response.status === 403) { window.location.reload(); }
    }).catch(function () { /* the next poll tries again */ }).then(function () {
      window.setTimeout(poll, every);
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target.closest && event.target.closest("input, textarea, select")) { return; }
    var key = event.key.toLowerCase();
    var help = document.getElementById("uitleg");
    if (key === "f") {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
    } else if (key === "q") {
      bigQr = !bigQr;
      showQr();
    } else if (key === "?") {
      if (help.open) { help.close(); } else { help.showModal(); }
    } else {
      var button = live.querySelector('.steer button[data-key="' + key + '"]');
      if (button) { button.click(); }
    }
  });
  countdown();
  window.setInterval(countdown, 1000);
  window.setTimeout(poll, every);
})();
