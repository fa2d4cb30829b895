/* Draws the board's charts from the figure JSON beside each placeholder (see
   survey/charts.py to_html) with plotly.js served by the app. Without JavaScript the
   tables beside the charts hold the same numbers. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "sv";
  if (window.Plotly && lang === "sv") {
    Plotly.register({
      moduleType: "locale",
      name: "sv",
      dictionary: {
        "Download plot as a png": "Ladda ner diagrammet som PNG",
        "Download plot": "Ladda ner diagrammet",
        "Zoom": "Zooma",
        "Pan": "Panorera",
        "Zoom in": "Zooma in",
        "Zoom out": "Zooma ut",
        "Autoscale": "Anpassa skala",
        "Reset axes": "Återställ axlar",
        "Reset": "Återställ",
        "Box Select": "Markera med ruta",
        "Lasso Select": "Markera med lasso",
        "Show closest data on hover": "Visa närmaste värde vid hovring",
        "Compare data on hover": "Jämför värden vid hovring",
        "Toggle Spike Lines": "Visa/dölj hjälplinjer",
        "Double-click to zoom back out": "Dubbelklicka för att zooma ut",
        "Click to enter Colorscale title": "Klicka för att ange titel",
        "Click to enter Component A title": "Klicka för att ange titel"
      },
      format: { decimal: ".", thousands: " " }
    });
  }

  // On a phone the figures' desktop margins and fonts leave too little for the chart.
  function fitted(el, layout) {
    if (el.clientWidth >= 560) { return layout; }
    var small = Object.assign({}, layout);
    small.font = Object.assign({}, layout.font, { size: 10 });
    small.title = Object.assign({}, layout.title, { font: { size: 12 } });
    if (layout.polar) {
      small.height = el.clientWidth + 140;
      small.margin = Object.assign({}, layout.margin, { l: 85, r: 85 });
    }
    return small;
  }

  // A page meant for paper (the board report) says how wide its charts may be: they are
  // drawn at most that wide and stay so, since a printer lays the page out narrower than
  // the screen and an SVG drawn wider than the paper is cut at its edge.
  function printWidth(el) {
    var page = el.closest("[data-print-width]");
    return page ? parseInt(page.getAttribute("data-print-width"), 10) : 0;
  }

  function draw(el) {
    var source = document.getElementById(el.id + "-figure");
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    var filename = el.getAttribute("data-filename") || el.id;
    var layout = fitted(el, figure.layout);
    var limit = printWidth(el);
    if (limit) {
      layout = Object.assign({}, layout, { width: Math.min(el.clientWidth || limit, limit) });
    }
    Plotly.newPlot(el, figure.data, layout, {
      displaylogo: false,
      responsive: !limit,
      locale: lang,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
      toImageButtonOptions: { format: "png", filename: filename, scale: 2 }
    });
  }

  function init() {
    var plots = document.querySelectorAll(".plot");
    Array.prototype.forEach.call(plots, draw);
    var buttons = document.querySelectorAll(".png-button");
    Array.prototype.forEach.call(buttons, function (button) {
      var el = document.getElementById(button.getAttribute("data-plot"));
      if (!el || !window.Plotly) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        Plotly.downloadImage(el, {
          format: "png", scale: 2, filename: el.getAttribute("data-filename") || el.id
        });
      });
    });
    var print = document.querySelector(".print-button");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
    // Printing lays the page out narrower than the screen: redraw the charts to fit.
    function resizeAll() {
      Array.prototype.forEach.call(plots, function (el) {
        if (el.data && !printWidth(el)) { Plotly.Plots.resize(el); }
      });
    }
    window.addEventListener("beforeprint", resizeAll);
    window.addEventListener("afterprint", resizeAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
