// The only script of the join pages: it keeps "4 van 6 gestemd" live.
// Everything else works without it (the page has a link to refresh).
(function () {
  "use strict";
  var out = document.getElementById("telling");
  if (!out || !window.fetch) { return; }
  var url = out.getAttribute("data-count");
  var state = null;
  function poll() {
    fetch(url, { cache: "no-store", credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (count) {
      if (!count) { return; }
      document.getElementById("stemmen").textContent = count.votes;
      document.getElementById("deelnemers").textContent = count.participants;
      // A new state (revealed, a new round, closed) changes the page: load it.
      if (state !== null && (count.state !== state.state || count.round !== state.round)) { window.location.reload(); }
      state = count;
    }).catch(function () { /* the next poll tries again */ }).then(function () {
      window.setTimeout(poll, 3000);
    });
  }
  window.setTimeout(poll, 3000);
})();
