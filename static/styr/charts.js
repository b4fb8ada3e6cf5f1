// Draws each indicator chart from the data the page carries in a JSON block next to its table.
// The table stays the text alternative; the chart is hidden from screen readers.
(function () {
  "use strict";
  function draw() {
    if (!window.Chart) { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
      if (data.type === "stacked") { drawStacked(canvas, data); return; }
      if (data.type === "lines") { drawLines(canvas, data); return; }
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
  // Counts per scale value over periods, stacked, each value in the model's colour.
  function drawStacked(canvas, data) {
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.periods, datasets: data.series.map(function (s) {
        return { label: s.label, data: s.data, backgroundColor: s.colour, borderColor: "#333", borderWidth: 1 };
      }) },
      options: { animation: false, responsive: true, maintainAspectRatio: false, locale: "sv-SE",
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  // Named series over the years, each in its colour; dashed ones are for comparison.
  function drawLines(canvas, data) {
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.periods, datasets: data.series.map(function (s) {
        return { label: s.label, data: s.data, borderColor: s.colour, backgroundColor: s.colour,
          borderDash: s.dash ? [6, 4] : [] };
      }) },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        locale: "sv-SE", spanGaps: true }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
