/* Insights overview, "Is it closing?": the Gini of runs and the share of regular users a month. */
(function () {
  "use strict";
  var charts = (window.huddleCharts = window.huddleCharts || {});

  function drawClosing() {
    var el = document.getElementById("insights-closing");
    var canvas = document.getElementById("chart-closing");
    if (!el || !canvas || !window.Chart) return;
    var d = JSON.parse(el.textContent);
    charts["chart-closing"] = new window.Chart(canvas, {
      type: "line",
      data: { labels: d.months, datasets: [
        { label: "Gini of runs (the divide)", data: d.gini, borderColor: "#d9485f", tension: 0.25 },
        { label: "Share of regular users", data: d.regular, borderColor: "#2f9e6e", borderDash: [5, 3], tension: 0.25 }
      ] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { min: 0, max: 1 } } }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawClosing);
  else drawClosing();
})();
