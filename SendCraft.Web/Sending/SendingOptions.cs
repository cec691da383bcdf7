using System.ComponentModel.DataAnnotations;

namespace SendCraft.Web.Sending;

/// <summary>Settings of the outbox workers (section "Sending").</summary>
public sealed class SendingOptions
{
    public const string Section = "Sending";

    /// <summary>Off for instances that only serve pages; their outbox rows are sent by another instance.</summary>
    public bool WorkersEnabled { get; set; } = true;

    /// <summary>Rows claimed at once. Also the bound on duplicates after a crash: at most what was claimed and unrecorded.</summary>
    [Range(1, 5000)] public int BatchSize { get; set; } = 200;

    /// <summary>
    /// How long a claimed row (or connection slot) stays with its instance without a heartbeat before another may
    /// take it; the heartbeat renews it every quarter lease. It bounds how long a crashed instance's rows wait.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>On shutdown, how long the batch on the wire may go on; must fit inside the host's shutdown timeout.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle worker looks for due rows (new mail wakes it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    [Range(1, 50)] public int MaxAttempts { get; set; } = 8;
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a DNS check waits for one answer (DKIM, SPF, DMARC records).</summary>
    public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Compose: the most recipients (To, Cc and Bcc together) of one message; more belong in a campaign.</summary>
    [Range(1, 10_000)] public int ComposeMaxRecipients { get; set; } = 100;

    /// <summary>Compose: the most attachment bytes of one message (servers commonly refuse messages over 25 MB once encoded).</summary>
    [Range(0, 100L * 1024 * 1024)] public long ComposeMaxAttachmentBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>SMTP command timeout, and connect timeout.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Pooled connections idle longer than this are closed rather than reused (servers drop idle clients).</summary>
    public TimeSpan IdleConnectionTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Identifies this instance's leases; unique per process.</summary>
    public string InstanceId { get; set; } = NewInstanceId();

    // Host name and process id say where a lease came from; the random part keeps restarts apart. At most 40 characters.
    private static string NewInstanceId()
    {
        var id = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        return id.Length <= 40 ? id : id[..40];
    }
}
