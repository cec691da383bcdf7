namespace SendCraft.Web.Data;

/// <summary>What came back about a sent message, after SMTP: tracking hits, unsubscribes, bounces, complaints, replies.</summary>
/// <remarks>Stored as strings like MessageStatus, so a new kind needs no data migration.</remarks>
public enum MessageEventType { Open = 1, Click = 2, Unsubscribe = 3, Bounce = 4, SoftBounce = 5, Complaint = 6, Reply = 7 }

/// <summary>
/// One thing that happened to a message after it left: the common record every producer writes (the tracking writer,
/// the unsubscribe endpoint, the inbound DSN/ARF parser) and the dashboard's rollups are built from. Append-only.
/// The SMTP outcomes (sent, deferred, failed) are not repeated here: they are the message's attempt log.
/// </summary>
public sealed class MessageEvent : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    /// <summary>The outbox row (OutboundMessage.Id) the event is about.</summary>
    public long MessageId { get; set; }
    /// <summary>Copied from the message so campaign reports read the events of one campaign by index, without a join.</summary>
    public long? CampaignId { get; set; }
    public MessageEventType Type { get; set; }
    public DateTime OccurredAt { get; set; }
    /// <summary>
    /// Made by a machine, not a person: an image proxy fetching the pixel (Apple Mail Privacy Protection and the like),
    /// a link scanner following every link. Counted apart from human opens and clicks.
    /// </summary>
    public bool IsMachine { get; set; }
    /// <summary>
    /// The first event of this type (and of this kind, human or machine) for its message, set by the writer, so reports
    /// count unique opens and clicks by summing a flag instead of counting distinct messages over millions of rows.
    /// </summary>
    public bool IsUnique { get; set; }
    /// <summary>For clicks: the index of the link in the message's HTML (see the message's tracked links).</summary>
    public int? LinkIndex { get; set; }
    public string? UserAgent { get; set; }
    /// <summary>Plain-words detail: the DSN status and diagnostic, the complaint's feedback type, the reply's subject.</summary>
    public string? Detail { get; set; }

    public const int UserAgentMaxLength = 300, DetailMaxLength = 1000;
}

/// <summary>
/// A key the whole installation shares (every instance on the database), created on first start and kept encrypted with
/// Data Protection: for example the key that signs tracking, unsubscribe and bounce tokens. Not tenant data.
/// </summary>
public sealed class InstallationSecret
{
    public string Name { get; set; } = "";
    public string ValueProtected { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}
