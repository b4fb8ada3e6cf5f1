// Draws each indicator chart from the data the page carries in a JSON block next to its table.
// The table stays the text alternative; the chart is hidden from screen readers.
(function () {
  "use strict";
  function draw() {
    if (!window.Chart) { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
      var datasets = [
        { label: data.labels.total, data: data.total, borderColor: "#1f4e79", backgroundColor: "#1f4e79" },
        { label: data.labels.target, data: data.target, borderColor: "#1a7f37", borderDash: [6, 4], pointRadius: 0 }
      ];
      if (data.women.some(function (v) { return v !== null; })) {
        datasets.push({ label: data.labels.women, data: data.women, borderColor: "#b4436c" });
        datasets.push({ label: data.labels.men, data: data.men, borderColor: "#e08a00" });
      }
      new window.Chart(canvas, {
        type: "line",
        data: { labels: data.periods, datasets: datasets },
        options: { animation: false, responsive: true, maintainAspectRatio: false,
          locale: "sv-SE", spanGaps: true }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
