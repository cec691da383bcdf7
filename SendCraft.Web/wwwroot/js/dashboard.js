// The workspace dashboard (Pages/Index); its chart is drawn by stats-chart.js.
(() => {
  // The view picker (all / a domain / an account) applies at once; its Show button remains for browsers without JS.
  const view = document.querySelector("select[data-dashboard-view]");
  if (view) {
    view.addEventListener("change", () => view.form.submit());
    document.getElementById("apply-view")?.classList.add("d-none");
  }
})();
