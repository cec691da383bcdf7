// Outcomes and engagement over time (Chart.js from npm), on the dashboard and the campaign report. No inline script
// (CSP script-src 'self'): each <canvas data-stats-chart="ID"> reads its data from the JSON <script> block with that id,
// written by Analytics/StatsChart.cs.
(() => {
  if (typeof Chart === "undefined") return;
  for (const canvas of document.querySelectorAll("canvas[data-stats-chart]")) {
    const data = document.getElementById(canvas.dataset.statsChart);
    if (!data) continue;
    const { labels, series } = JSON.parse(data.textContent || "{}");
    new Chart(canvas, {
      data: {
        labels: labels || [],
        datasets: (series || []).map((s) => ({
          type: s.type,
          label: s.label,
          data: s.data,
          backgroundColor: s.color,
          borderColor: s.color,
          borderWidth: s.type === "line" ? 2 : 0,
          pointRadius: s.type === "line" ? 0 : undefined,
          tension: 0.25,
          // Bars (outcomes) stack on one another; each line is its own stack, so it is drawn at its own value.
          stack: s.type === "bar" ? "outcomes" : s.label,
          yAxisID: "y",
          order: s.type === "line" ? 0 : 1,
        })),
      },
      options: {
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { stacked: true, ticks: { maxTicksLimit: 12, autoSkip: true } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  }
})();
