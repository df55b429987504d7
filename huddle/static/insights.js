/* Insights pages: draws the charts from the page's JSON and makes tables sortable. */
(function () {
  "use strict";
  var charts = (window.huddleCharts = window.huddleCharts || {});
  var PHASE_COLOURS = {
    none: "#c9ced8", exploration: "#7aa2f7", divergence: "#f5a524",
    silo: "#d9485f", institutionalised: "#2f9e6e"
  };

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas || !window.Chart) return;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    charts[id] = new window.Chart(canvas, config);
  }

  // The week in progress is drawn as partial, not as a collapse: its segment dashed, its bar pale.
  function partialSegment(d) {
    var last = d.weeks.length - 1;
    return { borderDash: function (ctx) { return d.partial && ctx.p1DataIndex === last ? [6, 4] : undefined; } };
  }

  function partialBars(d, colour, pale) {
    return d.weeks.map(function (_, i) { return d.partial && i === d.weeks.length - 1 ? pale : colour; });
  }

  function overview(d) {
    draw("chart-adoption", {
      type: "line",
      data: { labels: d.weeks, datasets: [{ label: "Members active that week", data: d.active, borderColor: "#3b4cca", backgroundColor: "rgba(59,76,202,.15)", fill: true, tension: 0.25, segment: partialSegment(d) }] },
      options: { scales: { y: { beginAtZero: true, suggestedMax: d.members } } }
    });
    draw("chart-minutes", {
      type: "bar",
      data: { labels: d.weeks, datasets: [{ label: "Hours saved", data: d.hours, backgroundColor: partialBars(d, "#2f9e6e", "rgba(47,158,110,.35)") }] },
      options: { scales: { y: { beginAtZero: true } } }
    });
    draw("chart-lorenz", {
      type: "scatter",
      data: { datasets: [
        { label: "Runs", data: d.lorenz, showLine: true, borderColor: "#3b4cca", pointRadius: 0 },
        { label: "Time saved", data: d.lorenz_minutes, showLine: true, borderColor: "#2f9e6e", pointRadius: 0 },
        { label: "Equal use", data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], showLine: true, borderColor: "#9aa1ae", borderDash: [4, 4], pointRadius: 0 }
      ] },
      options: { scales: {
        x: { min: 0, max: 1, title: { display: true, text: "Share of members (least active first)" } },
        y: { min: 0, max: 1, title: { display: true, text: "Share of the total" } }
      } }
    });
    // The timeline shows change: one stacked span per run of the same phase, its length in weeks.
    draw("chart-phases", {
      type: "bar",
      data: { labels: ["Phase"], datasets: d.phase_spans.map(function (s) {
        return { label: s.label + ": " + s.start + " to " + s.end, data: [s.weeks], backgroundColor: PHASE_COLOURS[s.phase], phase: s.phase };
      }) },
      options: {
        indexAxis: "y",
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + " (" + ctx.raw + " wk)"; } } } },
        scales: { x: { stacked: true, title: { display: true, text: "Weeks" } }, y: { stacked: true, display: false } }
      }
    });
    draw("chart-gini", {
      type: "line",
      data: { labels: d.weeks, datasets: [{ label: "Gini of the week's runs", data: d.gini, borderColor: "#d9485f", tension: 0.25, segment: partialSegment(d) }] },
      options: { scales: { y: { min: 0, max: 1 } } }
    });
  }

  function member(m) {
    draw("chart-member", {
      type: "bar",
      data: { labels: m.weeks, datasets: [
        { label: "Runs", data: m.runs, backgroundColor: partialBars(m, "#3b4cca", "rgba(59,76,202,.35)"), yAxisID: "y" },
        { label: "Hours saved", data: m.hours, type: "line", segment: partialSegment(m), borderColor: "#2f9e6e", yAxisID: "y1" }
      ] },
      options: { scales: { y: { beginAtZero: true, position: "left" }, y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } } }
    });
  }

  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, index) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index].dataset.value, y = b.cells[index].dataset.value;
          var nx = parseFloat(x), ny = parseFloat(y);
          var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
          return ascending ? cmp : -cmp;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var d = data("insights-data");
    if (d) overview(d);
    var m = data("member-data");
    if (m) member(m);
    document.querySelectorAll("table[data-sortable]").forEach(sortable);
  });
})();
