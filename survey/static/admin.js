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

/* The import page: while a check or an import runs (in the request, a few seconds), the
   form says so beside a progress bar (written into its status line then, so that a screen
   reader announces it) and its button cannot be pressed twice. Without JavaScript the
   browser's own loading indicator is all there is. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), function (form) {
    var status = form.querySelector(".busy");
    if (!status) { return; }
    form.addEventListener("submit", function () {
      status.querySelector("span").textContent = form.getAttribute("data-busy");
      status.hidden = false;
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
        button.disabled = true;
      });
    });
  });
})();
