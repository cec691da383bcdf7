using System.ComponentModel.DataAnnotations;

namespace SendCraft.Web.Api;

/// <summary>Settings of the REST API (section "Api").</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Requests per second a key may make when it has no limit of its own (token bucket; the burst is twice this).</summary>
    [Range(1, 1_000_000)] public int DefaultRateLimitPerSecond { get; set; } = 50;

    /// <summary>Largest request body accepted, in bytes; a larger one is answered 413.</summary>
    [Range(1024, 200 * 1024 * 1024)] public long MaxRequestBytes { get; set; } = 30 * 1024 * 1024;

    /// <summary>Total size of a message's attachments after base64 decoding.</summary>
    [Range(0, 150 * 1024 * 1024)] public long MaxAttachmentBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Recipients (to + cc + bcc) of one message.</summary>
    [Range(1, 1000)] public int MaxRecipients { get; set; } = 50;

    /// <summary>Messages in one POST /messages/batch.</summary>
    [Range(1, 500)] public int MaxBatch { get; set; } = 500;

    /// <summary>
    /// How long a validated key is remembered by this instance before the database is asked again. Revoking through
    /// this instance takes effect at once; other instances sharing the database see it within this time.
    /// </summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a workspace's active SMTP accounts are remembered by this instance (see ApiSenders).</summary>
    public TimeSpan SenderCacheDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the keys' last-used times are written (collected in memory in between, so requests never wait for it).</summary>
    public TimeSpan LastUsedFlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an Idempotency-Key's first answer is kept.</summary>
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);
}
