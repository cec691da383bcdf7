// Live updates over SignalR (SendCraft.Web/Realtime/), on signed-in pages only (the layout loads this file there):
// - /hubs/notifications: a new notification replaces the bell (#notification-bell) and shows a toast;
// - /hubs/campaigns, only once a page has a progress panel ([data-campaign-progress]): joins the workspace's group (the
//   server checks membership) and replaces #campaign-progress-{id} with each pushed panel (or, for a panel marked
//   data-campaign-progress-refresh, fires "campaign-progress" on it so it fetches itself). Each message also fires a
//   "campaign-progress" event on body (detail: campaignId, workspaceId, status) for pages that want more.
// The Content-Security-Policy allows no inline script, so pushed HTML carries none: it is inserted through a <template>
// (scripts in it never run) and handed to htmx for its hx- attributes.
(() => {
  const workspaceId = document.body.dataset.workspaceId;
  if (!workspaceId || typeof signalR === "undefined") return;

  // Reconnect for as long as the page is open: quickly at first, then every 30 s.
  const retry = { nextRetryDelayInMilliseconds: (ctx) => [0, 2000, 5000, 10000][ctx.previousRetryCount] ?? 30000 };
  // WebSockets straight away (no negotiate round trip); where a proxy refuses the upgrade, negotiate and fall back.
  const build = (url, websocketsOnly) => new signalR.HubConnectionBuilder()
    .withUrl(url, websocketsOnly ? { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true } : {})
    .withAutomaticReconnect(retry)
    .configureLogging(signalR.LogLevel.None) // failures are reported below as warnings, not console errors
    .build();

  // Connects, calls wire(connection) to register handlers, then onConnected (again after every reconnect). The state
  // is kept on body as data-realtime-<name> (connected, reconnecting, disconnected) for styles and tests.
  async function connect(url, name, wire, onConnected) {
    const state = (s) => (document.body.dataset[`realtime${name}`] = s);
    let fallback = false;
    for (let attempt = 0; ; attempt++) {
      const connection = build(url, !fallback);
      wire(connection);
      connection.onreconnecting(() => state("reconnecting"));
      connection.onreconnected(async () => { await onConnected?.(connection); state("connected"); });
      try {
        await connection.start();
        await onConnected?.(connection);
        // Only a connection that was fully up starts over when it closes for good (a failed start is retried below).
        connection.onclose(() => { state("disconnected"); setTimeout(() => connect(url, name, wire, onConnected), 5000); });
        state("connected");
        return connection;
      } catch (e) {
        connection.stop().catch(() => {});
        if (!fallback) { fallback = true; continue; }
        console.warn(`Live updates (${url}) are not available right now:`, e?.message ?? e);
        await new Promise((r) => setTimeout(r, Math.min(30000, 2000 * (attempt + 1))));
      }
    }
  }

  function replace(element, html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.firstElementChild;
    if (!fresh) return;
    // A bell whose menu is open stays open.
    const wasOpen = element.querySelector(".dropdown-menu.show");
    element.replaceWith(fresh);
    if (window.htmx) htmx.process(fresh);
    if (wasOpen && window.bootstrap) bootstrap.Dropdown.getOrCreateInstance(fresh.querySelector('[data-bs-toggle="dropdown"]')).show();
  }

  function toast(n) {
    const container = document.getElementById("toasts");
    if (!container || !window.bootstrap) return;
    const el = document.createElement("div");
    el.className = "toast notification-toast border-0 shadow";
    el.setAttribute("role", "status");
    el.setAttribute("aria-live", "polite");
    el.innerHTML = '<div class="toast-header"><i class="bi bi-bell-fill me-2"></i><strong class="me-auto"></strong>' +
      '<button type="button" class="btn-close" data-bs-dismiss="toast" aria-label="Close"></button></div><div class="toast-body"></div>';
    el.querySelector(".toast-header i").classList.add(`text-${n.level}`);
    el.querySelector("strong").textContent = n.title;
    const body = el.querySelector(".toast-body");
    if (n.body) body.append(document.createTextNode(n.body));
    if (n.link) {
      const a = document.createElement("a");
      a.href = n.link; // a path of this app: INotifier drops anything else
      a.textContent = "Open";
      a.className = "d-block mt-1";
      body.append(a);
    }
    if (!n.body && !n.link) body.remove();
    container.appendChild(el);
    new bootstrap.Toast(el, { delay: 8000 }).show();
    el.addEventListener("hidden.bs.toast", () => el.remove());
  }

  connect("/hubs/notifications", "Notifications", (c) => c.on("notification", (n) => {
    if (String(n.workspaceId) !== workspaceId) return; // another of the user's workspaces: its bell shows it there
    const bell = document.getElementById("notification-bell");
    if (bell) replace(bell, n.bellHtml);
    toast(n);
  }));

  // Campaign progress: connect once a panel is on the page, at load or when one arrives later (an htmx swap).
  let campaigns = null;
  const watchCampaigns = () => {
    if (campaigns || !document.querySelector("[data-campaign-progress]")) return;
    watcher.disconnect();
    campaigns = connect("/hubs/campaigns", "Campaigns", (c) => c.on("progress", (p) => {
      if (String(p.workspaceId) !== workspaceId) return;
      const panel = document.getElementById(`campaign-progress-${p.campaignId}`);
      // A panel that renders itself (the campaign page's, with its buttons) is asked to refresh through htmx;
      // any other is replaced by the pushed panel.
      if (panel && panel.hasAttribute("data-campaign-progress-refresh") && window.htmx) window.htmx.trigger(panel, "campaign-progress");
      else if (panel) replace(panel, p.html);
      document.body.dispatchEvent(new CustomEvent("campaign-progress", { detail: { campaignId: p.campaignId, workspaceId: p.workspaceId, status: p.status } }));
    }), (c) => c.invoke("JoinWorkspace", Number(workspaceId)));
  };
  const watcher = new MutationObserver(watchCampaigns);
  watcher.observe(document.body, { childList: true, subtree: true });
  watchCampaigns();
})();
