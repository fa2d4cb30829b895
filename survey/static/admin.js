/* Keeps a round's response-rate table live: every 20 seconds, and whenever the window gets
   the focus back, the counts are read from the round's rate.json and written into the
   table (counts only, as the page shows them). Without JavaScript the page's "Update"
   link reloads it. */
(function () {
  "use strict";
  var table = document.getElementById("rate");
  if (!table || !table.getAttribute("data-live") || !window.fetch) { return; }
  var url = table.getAttribute("data-live");
  var cells = { invited: "rate-invited", started: "rate-started", submitted: "rate-submitted" };

  function show(counts) {
    Object.keys(cells).forEach(function (key) {
      var cell = document.getElementById(cells[key]);
      if (cell) { cell.textContent = String(counts[key]); }
    });
    var rate = document.getElementById("rate-rate");
    if (rate) { rate.textContent = counts.rate === null ? "–" : counts.rate + " %"; }
  }

  function update() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) { if (counts) { show(counts); } })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  window.setInterval(update, 20000);
  window.addEventListener("focus", update);
})();
