using System.ComponentModel.DataAnnotations;

namespace SendCraft.Web.Webhooks;

/// <summary>Settings of webhook delivery (section "Webhooks").</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Run the delivery worker in this instance (it also needs Sending:WorkersEnabled, the switch for all background workers).</summary>
    public bool WorkerEnabled { get; set; } = true;

    /// <summary>
    /// Let endpoints resolve to loopback, private, link-local and other non-public addresses. Off: a webhook URL could
    /// otherwise make this server call its own network (SSRF), e.g. the cloud metadata service at 169.254.169.254.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>Networks allowed despite the guard, in CIDR notation ("127.0.0.1/32", "10.1.0.0/16"), e.g. an internal receiver.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>How long one POST may take (connect, send, answer).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay; each failure doubles it up to RetryMaxDelay.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Failed deliveries are retried until at least this long after the event; then they are given up.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>An endpoint is disabled after this many failed attempts in a row (0: never), and the page says so.</summary>
    [Range(0, 100_000)] public int DisableAfterFailures { get; set; } = 50;

    [Range(1, 500)] public int BatchSize { get; set; } = 32;

    /// <summary>How long a claimed delivery stays with its instance; must exceed Timeout by far (a batch is sent in parallel).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often an idle worker looks for due deliveries (an event queued in this instance wakes it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the engine trusts its cached list of subscriptions: an endpoint change reaches other instances within this.</summary>
    public TimeSpan SubscriptionCacheTtl { get; set; } = TimeSpan.FromSeconds(5);
}
