// Progressive enhancement for the respondent pages (they work without it): save the page in
// the background as answers change, before following a link (language switch, header) and
// when the tab is closed, so not even an unsent page is lost.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = document.getElementById("autosave-status");
  var dirty = false;
  var pending = null;
  var timer = null;

  function payload() {
    var data = new FormData(form);
    data.set("nav", "autosave");
    return data;
  }

  function save() {
    clearTimeout(timer);
    if (!dirty) return pending || Promise.resolve();
    dirty = false;
    pending = fetch(form.action, { method: "POST", body: payload(), credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 204) { dirty = true; return; }
        if (status) status.textContent = status.getAttribute("data-saved");
      })
      .catch(function () { dirty = true; })
      .then(function () { pending = null; });
    return pending;
  }

  function later(delay) {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener("change", function () { later(300); });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") later(1500);
  });
  form.addEventListener("submit", function () { clearTimeout(timer); dirty = false; });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.hash && link.pathname === window.location.pathname) return;
    if (!dirty && !pending) return;
    event.preventDefault();
    save().then(function () { window.location.href = link.href; });
  });
  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) navigator.sendBeacon(form.action, payload());
  });
})();
