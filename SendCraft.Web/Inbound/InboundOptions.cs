using System.ComponentModel.DataAnnotations;

namespace SendCraft.Web.Inbound;

/// <summary>Settings of the inbound SMTP listener and of the VERP return path (section "Inbound"). Off by default.</summary>
public sealed class InboundOptions
{
    public const string Section = "Inbound";

    /// <summary>Run the listener in this instance. VERP (the return path) depends only on <see cref="BounceDomain"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>The address to listen on: 0.0.0.0 for every interface.</summary>
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>25 in production (MX), usually reached through a firewall redirect or CAP_NET_BIND_SERVICE: docs/inbound.md.</summary>
    [Range(1, 65535)] public int Port { get; set; } = 25;

    /// <summary>
    /// The domain whose MX points at this listener, e.g. bounces.example.com. When set, campaign and API mail is sent
    /// with envelope sender bounces+&lt;token&gt;@ this domain (VERP), so every bounce names its message.
    /// </summary>
    public string? BounceDomain { get; set; }

    /// <summary>The domain of the workspaces' reply addresses (replies+&lt;token&gt;@); the bounce domain when not set.</summary>
    public string? ReplyDomain { get; set; }

    /// <summary>
    /// With a reply domain: campaign messages carry the workspace's reply address as Reply-To, so replies come to the
    /// Inbox. False: replies go to the campaign's From address, outside SendCraft.
    /// </summary>
    public bool CampaignRepliesToInbox { get; set; } = true;

    /// <summary>The largest message accepted (SIZE, and enforced while the data arrives): 552 beyond it.</summary>
    [Range(1024, 100 * 1024 * 1024)] public int MaxMessageBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>A message is kept as received up to this size; above it only its text, HTML and attachment list are kept.</summary>
    [Range(0, 100 * 1024 * 1024)] public int MaxStoredBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Consecutive soft bounces (4.x.x) of one address, with no delivery in between, that suppress it.</summary>
    [Range(1, 100)] public int SoftBounceLimit { get; set; } = 3;

    /// <summary>Recipients of one message; more get 452.</summary>
    [Range(1, 1000)] public int MaxRecipients { get; set; } = 20;

    /// <summary>Offered with STARTTLS (opportunistic: senders may also deliver in the clear, as MX servers do).</summary>
    public string? CertificatePath { get; set; }
    public string? CertificateKeyPath { get; set; }
    public string? CertificatePassword { get; set; }

    /// <summary>The name in the greeting and EHLO answer.</summary>
    public string ServerName { get; set; } = Environment.MachineName;

    public string? EffectiveReplyDomain => string.IsNullOrWhiteSpace(ReplyDomain) ? Normalize(BounceDomain) : Normalize(ReplyDomain);
    public string? EffectiveBounceDomain => Normalize(BounceDomain);

    private static string? Normalize(string? domain) =>
        string.IsNullOrWhiteSpace(domain) ? null : domain.Trim().TrimEnd('.').ToLowerInvariant();
}
