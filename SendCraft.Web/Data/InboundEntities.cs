namespace SendCraft.Web.Data;

/// <summary>What an inbound message turned out to be. Stored as a string, so a new kind needs no data migration.</summary>
public enum InboundKind
{
    /// <summary>A person's answer: shown in the inbox, members are notified.</summary>
    Reply = 1,
    /// <summary>An automatic answer (Auto-Submitted, out of office): shown in the inbox, nobody is notified.</summary>
    AutoReply = 2,
    /// <summary>A DSN with a 5.x.x status: the address is suppressed.</summary>
    Bounce = 3,
    /// <summary>A DSN with a 4.x.x status: counted; a streak of them suppresses.</summary>
    SoftBounce = 4,
    /// <summary>An ARF feedback report (RFC 5965): the recipient marked a message as spam.</summary>
    Complaint = 5,
    /// <summary>Mail to unsubscribe+token@ (the mailto of List-Unsubscribe).</summary>
    Unsubscribe = 6,
    /// <summary>A DSN that reports no failure (delivered, relayed, expanded): kept, no effect.</summary>
    Report = 7,
    /// <summary>Could not be read or classified; Reason says why. Kept, never dropped.</summary>
    Unparsed = 8,
    /// <summary>Read, but no message of ours was found for it; Reason says what was tried.</summary>
    Unmatched = 9,
}

/// <summary>
/// One message received by the inbound listener for a workspace: a reply in the inbox, or a bounce, complaint or other
/// report with what was done about it. The raw message is kept up to Inbound:MaxStoredBytes.
/// </summary>
public sealed class InboundMessage : ITenantOwned, Infrastructure.IHasId
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public InboundKind Kind { get; set; }
    /// <summary>Plain words: how it was classified and what was done, or why it could not be processed.</summary>
    public string? Reason { get; set; }
    /// <summary>The envelope sender (MAIL FROM); empty for the null sender of a bounce.</summary>
    public string MailFrom { get; set; } = "";
    /// <summary>The envelope recipient (RCPT TO) it was accepted for.</summary>
    public string RcptTo { get; set; } = "";
    public string FromAddress { get; set; } = "";
    public string FromName { get; set; } = "";
    public string Subject { get; set; } = "";
    /// <summary>Its own Message-ID header, without angle brackets.</summary>
    public string? MessageIdHeader { get; set; }
    public string? InReplyTo { get; set; }
    /// <summary>The outbox row (OutboundMessage.Id) it answers or reports on, when found.</summary>
    public long? OutboundMessageId { get; set; }
    /// <summary>The address the report is about (DSN Final-Recipient, ARF Original-Rcpt-To), lower-cased.</summary>
    public string? ReportedRecipient { get; set; }
    /// <summary>The DSN status (5.1.1) or the feedback type (abuse).</summary>
    public string? ReportStatus { get; set; }
    public string? TextBody { get; set; }
    public string? HtmlBody { get; set; }
    /// <summary>The header block as received, for the detail page.</summary>
    public string? Headers { get; set; }
    /// <summary>The message as received, when it is at most Inbound:MaxStoredBytes (null above: <see cref="RawSize"/> tells).</summary>
    public byte[]? Raw { get; set; }
    public int RawSize { get; set; }
    public DateTime ReceivedAt { get; set; }
    public bool IsRead { get; set; }
    public List<InboundAttachment> Attachments { get; set; } = [];

    public const int ReasonMaxLength = 1000, AddressMaxLength = 254, NameMaxLength = 200, SubjectMaxLength = 998, StatusMaxLength = 100;
}

/// <summary>An attachment of an inbound message, listed by name, type and size (its bytes are in the raw message).</summary>
public sealed class InboundAttachment : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long InboundMessageId { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "application/octet-stream";
    public long Size { get; set; }
}

/// <summary>
/// Inbound mail that belongs to no workspace: accepted for a shared address (bounces@, postmaster@, abuse@) and about no
/// message of ours, or for a bounce token whose message no longer exists. Kept, never dropped, for the operator of the
/// installation to look at in the database (docs/inbound.md); no workspace's page shows it. Not tenant data.
/// </summary>
public sealed class UnroutedInboundMessage
{
    public long Id { get; set; }
    public DateTime ReceivedAt { get; set; }
    public string MailFrom { get; set; } = "";
    public string RcptTo { get; set; } = "";
    public string FromAddress { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Reason { get; set; } = "";
    public byte[]? Raw { get; set; }
    public int RawSize { get; set; }
}
