namespace SendCraft.Web.Tracking;

/// <summary>
/// Tells machine opens and clicks from human ones. Machines are flagged (MessageEvent.IsMachine), not discarded: reports
/// show them apart. The rules, each a known pattern:
/// <list type="bullet">
/// <item>Opens by image proxies. Apple Mail Privacy Protection prefetches every image of every message as it arrives,
/// with a generic "Mozilla/5.0" agent from Apple's relay, so no agent rule catches it: the timing rule does (an open
/// within <see cref="OpenAfterSend"/> of sending is a prefetch, no person reads that fast). Gmail's proxy says
/// "GoogleImageProxy", Yahoo's "YahooMailProxy"; those are flagged by agent (Gmail fetches when the person opens, but through a proxy, so the hit is not the person's
/// own: it is kept, but as machine). An empty agent is a machine.</item>
/// <item>Clicks by link scanners (Microsoft Defender Safe Links, Mimecast, Proofpoint, Barracuda, security gateways)
/// follow every link as the message is delivered: a click within <see cref="ClickAfterSend"/> of sending, or within
/// <see cref="ClickBurst"/> of a click on another link of the same message, is a machine (both clicks of the burst), as
/// is a known scanner or HTTP-library agent.</item>
/// </list>
/// </summary>
public static class MachineRules
{
    public static readonly TimeSpan OpenAfterSend = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ClickAfterSend = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan ClickBurst = TimeSpan.FromSeconds(1);

    private static readonly string[] ProxyAgents =
    [
        "GoogleImageProxy", "ggpht.com", "YahooMailProxy", "Yahoo Mail Proxy", "bot", "crawler", "spider",
    ];

    private static readonly string[] ScannerAgents =
    [
        "bot", "crawler", "spider", "scanner", "Barracuda", "Mimecast", "Proofpoint", "Safelinks", "Safe Links", "Forcepoint",
        "Sophos", "Trend Micro", "Symantec", "FireEye", "Cisco", "IronPort", "python-requests", "python-urllib", "curl/",
        "Wget", "Go-http-client", "okhttp", "Java/", "libwww", "Apache-HttpClient", "HeadlessChrome", "PhantomJS",
    ];

    public static bool IsMachineOpen(string? userAgent, DateTime? sentAt, DateTime at) =>
        string.IsNullOrWhiteSpace(userAgent) || Contains(userAgent, ProxyAgents) || WithinAfter(sentAt, at, OpenAfterSend);

    /// <param name="otherLinkClicks">When the message's other links (not this index) were clicked, as far as known.</param>
    public static bool IsMachineClick(string? userAgent, DateTime? sentAt, DateTime at, IEnumerable<DateTime> otherLinkClicks) =>
        string.IsNullOrWhiteSpace(userAgent) || Contains(userAgent, ScannerAgents) || WithinAfter(sentAt, at, ClickAfterSend)
        || otherLinkClicks.Any(other => (other - at).Duration() <= ClickBurst);

    private static bool WithinAfter(DateTime? sentAt, DateTime at, TimeSpan window) => sentAt is { } sent && at - sent < window;

    private static bool Contains(string userAgent, string[] needles)
    {
        foreach (var needle in needles)
            if (userAgent.Contains(needle, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
