// The workspace dashboard (Pages/Index). No inline script (CSP script-src 'self'): the chart's data arrives in a JSON
// <script type="application/json"> block, as on the campaign report.
(() => {
  // The view picker (all / a domain / an account) applies at once; its Show button remains for browsers without JS.
  const view = document.querySelector("select[data-dashboard-view]");
  if (view) {
    view.addEventListener("change", () => view.form.submit());
    document.getElementById("apply-view")?.classList.add("d-none");
  }

  const canvas = document.getElementById("dashboard-chart");
  const data = document.getElementById("dashboard-chart-data");
  if (!canvas || !data || typeof Chart === "undefined") return;
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
})();
