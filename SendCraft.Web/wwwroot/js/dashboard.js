// Dashboard charts (Chart.js from npm). Data arrives in data- attributes so the page needs no inline script.
(() => {
  const canvas = document.getElementById("messages-chart");
  if (!canvas || typeof Chart === "undefined") return;
  const labels = JSON.parse(canvas.dataset.labels || "[]");
  const values = JSON.parse(canvas.dataset.values || "null") ?? labels.map(() => 0);
  new Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [{ label: "Messages", data: values, backgroundColor: "#4f46e5" }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, suggestedMax: 10 } } },
  });
})();
