// The presenter screen follows the meeting with conditional polls: the
// server answers 304 without a body while nothing changed. Shortcuts only
// change what this screen shows; the meeting itself is led from the phone.
(function () {
  "use strict";
  var main = document.querySelector("main.screen");
  var live = document.getElementById("live");
  if (!main || !live) { return; }
  var url = main.getAttribute("data-live");
  var every = 1000 * Number(main.getAttribute("data-poll") || 2);
  var etag = null;
  // Server time minus this computer's time (the server's clock may be frozen).
  var offset = Date.parse(main.getAttribute("data-now")) - Date.now() || 0;

  function countdown() {
    var step = live.querySelector(".step");
    var out = step && step.querySelector(".remaining");
    if (!out) { return; }
    var left = Math.max(0, Math.round((Date.parse(step.getAttribute("data-ends")) - (Date.now() + offset)) / 1000));
    out.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
  }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" }).then(function (response) {
      var date = response.headers.get("X-Kompas-Now") || response.headers.get("Date");
      if (date) { offset = Date.parse(date) - Date.now(); }
      if (response.status === 200) {
        etag = response.headers.get("ETag");
        return response.text().then(function (html) { live.innerHTML = html; countdown(); });
      }
      if (response.status === 403) { window.location.reload(); }
    }).catch(function () { /* the next poll tries again */ }).then(function () {
      window.setTimeout(poll, every);
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key.toLowerCase();
    var help = document.getElementById("uitleg");
    if (key === "f") {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
    } else if (key === "q") {
      var qr = live.querySelector(".qr");
      if (qr) { qr.classList.toggle("big"); }
    } else if (key === "d") {
      var dilemma = document.getElementById("dilemma");
      dilemma.hidden = !dilemma.hidden;
      main.classList.toggle("no-dilemma", dilemma.hidden);
    } else if (key === "?") {
      if (help.open) { help.close(); } else { help.showModal(); }
    }
  });
  window.setInterval(countdown, 1000);
  window.setTimeout(poll, every);
})();
