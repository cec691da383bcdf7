// Campaign pages. No inline script (CSP script-src 'self'): data arrives in data- attributes and a JSON <script> block.
(() => {
  // The schedule form's time zone defaults to the browser's (an IANA id such as "Europe/Paris") when none was saved.
  for (const select of document.querySelectorAll("select[data-browser-timezone='default']")) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && [...select.options].some((o) => o.value === zone)) select.value = zone;
  }

  // Messages sent per minute (Chart.js from npm).
  const canvas = document.getElementById("campaign-chart");
  const data = document.getElementById("campaign-chart-data");
  if (canvas && data && typeof Chart !== "undefined") {
    const { labels, values } = JSON.parse(data.textContent || "{}");
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels || [], datasets: [{ label: "Sent", data: values || [], backgroundColor: "#198754" }] },
      options: {
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
})();
