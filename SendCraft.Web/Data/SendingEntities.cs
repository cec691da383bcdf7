namespace SendCraft.Web.Data;

/// <summary>A domain mail is sent from, with the DKIM key that signs it.</summary>
public sealed class SendingDomain : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    /// <summary>Lower-case, without trailing dot.</summary>
    public string Name { get; set; } = "";
    public bool IsActive { get; set; } = true;
    public string DkimSelector { get; set; } = "sendcraft";
    /// <summary>PKCS#1 PEM of the RSA private key, encrypted with ASP.NET Data Protection (see SecretProtector).</summary>
    public string DkimPrivateKeyProtected { get; set; } = "";
    /// <summary>Base64 SubjectPublicKeyInfo, the p= value of the DKIM TXT record.</summary>
    public string DkimPublicKey { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? DnsCheckedAt { get; set; }
    /// <summary>Plain-words result of the last DNS check, shown on the domain page.</summary>
    public string? DnsCheckResult { get; set; }
}

public enum SmtpSecurity { None = 0, StartTls = 1, SslOnConnect = 2 }

/// <summary>An SMTP server mail leaves through, with its limits. Its password is encrypted at rest.</summary>
public sealed class SmtpAccount : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long DomainId { get; set; }
    public SendingDomain? Domain { get; set; }
    public string FromEmail { get; set; } = "";
    public string FromName { get; set; } = "";
    public string Host { get; set; } = "";
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    /// <summary>Only for servers with a self-signed certificate the operator has decided to trust.</summary>
    public bool AcceptInvalidCertificate { get; set; }
    public string? Username { get; set; }
    public string? PasswordProtected { get; set; }
    public int MaxConnections { get; set; } = 4;
    public int MessagesPerSecond { get; set; } = 20;
    /// <summary>0 means no daily limit.</summary>
    public int DailyLimit { get; set; }
    public bool IsActive { get; set; } = true;
    public DateTime? LastUsedAt { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

/// <summary>Paused: a campaign's message held while its campaign is paused; workers never claim it.</summary>
/// <remarks>
/// Sandboxed: queued with a sandbox API key (sc_test_). The row is written in this status and never in a claimable one
/// (the workers claim Queued, Deferred and Sending only), so it can never reach SMTP, without the engine knowing of it.
/// </remarks>
public enum MessageStatus { Queued = 0, Sending = 1, Sent = 2, Deferred = 3, Failed = 4, Bounced = 5, Suppressed = 6, Cancelled = 7, Paused = 8, Sandboxed = 9 }

/// <summary>What one message says; shared by the outbox rows of its recipients (a compose to five people is one content, five rows).</summary>
public sealed class MessageContent : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public string FromAddress { get; set; } = "";
    public string FromName { get; set; } = "";
    /// <summary>The visible To and Cc headers (comma-separated addresses); Bcc recipients appear only as envelope recipients.</summary>
    public string ToHeader { get; set; } = "";
    public string? CcHeader { get; set; }
    public string Subject { get; set; } = "";
    public string? HtmlBody { get; set; }
    public string? TextBody { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    /// <summary>
    /// The key of the form submission or API request that queued this content (unique per workspace), so a double
    /// submit or a retried POST finds the mail it already queued instead of queueing it again. Null for other mail.
    /// </summary>
    public string? SubmissionKey { get; set; }
    /// <summary>
    /// Subject, HTML and text are Liquid sources rendered for each recipient's contact when the message is sent (campaign
    /// mail): one content for a million messages instead of a million rendered copies.
    /// </summary>
    public bool PersonalizedPerRecipient { get; set; }
    /// <summary>The Reply-To header (comma-separated addresses), when the sender asked for one.</summary>
    public string? ReplyTo { get; set; }
    /// <summary>Extra headers from the API, a JSON object of name to value, validated (no CR/LF, none the engine writes itself).</summary>
    public string? CustomHeaders { get; set; }
    /// <summary>API tags, a JSON array of strings, for filtering the log.</summary>
    public string? Tags { get; set; }
    /// <summary>API metadata, a JSON object the caller gets back with the message.</summary>
    public string? Metadata { get; set; }
    /// <summary>The API key that queued this content; null for mail from the pages or campaigns.</summary>
    public long? ApiKeyId { get; set; }
    /// <summary>Add an open pixel to the HTML part (see docs/tracking.md). Campaigns copy their switch; API mail asks.</summary>
    public bool TrackOpens { get; set; }
    /// <summary>Rewrite the HTML part's http(s) links to signed click URLs (see docs/tracking.md).</summary>
    public bool TrackClicks { get; set; }
    /// <summary>
    /// When the retention job removed the bodies, attachments and sent headers (Retention:MessageBodyDays after the
    /// content was made, once all its messages were final). Null while they are kept.
    /// </summary>
    public DateTime? BodyPurgedAt { get; set; }
    public List<MessageAttachment> Attachments { get; set; } = [];

    /// <summary>
    /// A shallow copy with Id 0, for a body changed for one message only (tracking links): Id 0 keeps it out of the
    /// per-connection body cache (MimeBuilder.Build). Attachments are shared, not copied.
    /// </summary>
    public MessageContent CopyForOneMessage()
    {
        var copy = (MessageContent)MemberwiseClone();
        copy.Id = 0;
        return copy;
    }
}

public sealed class MessageAttachment : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long ContentId { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "application/octet-stream";
    public byte[] Data { get; set; } = [];
}

/// <summary>
/// The durable outbox: one row per recipient message, committed before anything is transmitted.
/// DueAt is when a worker may claim the row: for queued and deferred rows the (re)try time, for a row
/// being sent the end of its lease, so a crashed worker's rows come back by themselves.
/// </summary>
public sealed class OutboundMessage : ITenantOwned, Infrastructure.IHasId
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long SmtpAccountId { get; set; }
    public SmtpAccount? SmtpAccount { get; set; }
    public long ContentId { get; set; }
    public MessageContent? Content { get; set; }
    /// <summary>The campaign this message belongs to (its test sends too, see <see cref="IsTest"/>).</summary>
    public long? CampaignId { get; set; }
    /// <summary>The contact a campaign message is for: its fields personalize the content. Unique per campaign.</summary>
    public long? ContactId { get; set; }
    public Contact? Contact { get; set; }
    /// <summary>A test send of a campaign: shown as such in the log, not counted in the campaign.</summary>
    public bool IsTest { get; set; }
    /// <summary>The envelope recipient (RCPT TO), lower-cased.</summary>
    public string Recipient { get; set; } = "";
    /// <summary>The Message-ID header value, without angle brackets.</summary>
    public string MessageId { get; set; } = "";
    public MessageStatus Status { get; set; } = MessageStatus.Queued;
    public DateTime DueAt { get; set; }
    public string? LeaseOwner { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? SentAt { get; set; }
    public int? LastSmtpCode { get; set; }
    public string? LastSmtpResponse { get; set; }
    /// <summary>The header block as transmitted (DKIM-Signature included), for the detail page.</summary>
    public string? SentHeaders { get; set; }
    public List<MessageAttempt> AttemptLog { get; set; } = [];
}

public enum AttemptOutcome { Sent = 0, Deferred = 1, Failed = 2 }

public sealed class MessageAttempt : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long MessageId { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime FinishedAt { get; set; }
    public AttemptOutcome Outcome { get; set; }
    public int? SmtpCode { get; set; }
    public string Response { get; set; } = "";
}

public enum SuppressionReason { Manual = 0, HardBounce = 1, Complaint = 2, Unsubscribed = 3 }

/// <summary>An address that is never sent to again from this workspace.</summary>
public sealed class Suppression : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    /// <summary>Lower-cased address.</summary>
    public string Email { get; set; } = "";
    public SuppressionReason Reason { get; set; }
    public string? Detail { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

public enum SendWindowPeriod { Slot = 0, Day = 1 }

/// <summary>
/// How many messages an SMTP account has been granted in one time window, shared by every instance on the database:
/// the account's rate limit is a quota per short slot, its daily limit a quota per UTC day. Engine bookkeeping, not
/// tenant data (no WorkspaceId): only the workers read and write it.
/// </summary>
public sealed class AccountSendWindow
{
    public long AccountId { get; set; }
    public SendWindowPeriod Period { get; set; }
    /// <summary>Start of the window in Unix milliseconds (UTC).</summary>
    public long WindowStart { get; set; }
    public int Used { get; set; }
}

/// <summary>
/// One of an SMTP account's MaxConnections, held by the instance (Owner) whose open connection uses it, under a
/// lease that instance keeps renewing, so the account's connection limit holds across instances.
/// </summary>
public sealed class SmtpConnectionSlot
{
    public long AccountId { get; set; }
    public int Slot { get; set; }
    public string? Owner { get; set; }
    public DateTime LeaseUntil { get; set; }
}
