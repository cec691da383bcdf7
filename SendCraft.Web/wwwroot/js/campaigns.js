// Campaign pages. No inline script (CSP script-src 'self'): data arrives in data- attributes. The report's chart is
// drawn by stats-chart.js.
(() => {
  // The schedule form's time zone defaults to the browser's (an IANA id such as "Europe/Paris") when none was saved.
  for (const select of document.querySelectorAll("select[data-browser-timezone='default']")) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && [...select.options].some((o) => o.value === zone)) select.value = zone;
  }
})();
