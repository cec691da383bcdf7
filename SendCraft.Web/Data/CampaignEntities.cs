namespace SendCraft.Web.Data;

public enum CampaignStatus { Draft = 0, Scheduled = 1, Sending = 2, Paused = 3, Sent = 4, Cancelled = 5, Failed = 6 }

/// <summary>
/// A newsletter-style mailing to the contacts of some lists. Its subject, HTML and text are Liquid, rendered per recipient
/// when each message is sent (the outbox rows of a campaign share one content that holds the Liquid sources, see
/// <see cref="MessageContent.PersonalizedPerRecipient"/>). Expansion, the step that turns the audience into outbox rows,
/// is resumable: <see cref="ExpansionCursor"/> is the last contact id done, written in the transaction that inserts the
/// rows, and a (CampaignId, ContactId) unique key makes a repeated chunk insert nothing.
/// </summary>
public sealed class Campaign : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public string Name { get; set; } = "";
    public CampaignStatus Status { get; set; } = CampaignStatus.Draft;
    /// <summary>Why the campaign is paused or failed, when the system did it (an account disabled, a template broken).</summary>
    public string? StatusReason { get; set; }
    /// <summary>The saved template the content came from, if any (the campaign keeps its own copy, editable).</summary>
    public long? TemplateId { get; set; }
    public string Subject { get; set; } = "";
    public string HtmlBody { get; set; } = "";
    public string TextBody { get; set; } = "";
    public long? SmtpAccountId { get; set; }
    public SmtpAccount? SmtpAccount { get; set; }
    /// <summary>The campaign's own limit (messages per minute), on top of the account's; null for none.</summary>
    public int? RatePerMinute { get; set; }
    /// <summary>Add an open pixel to every message (copied to the frozen content when the campaign starts).</summary>
    public bool TrackOpens { get; set; } = true;
    /// <summary>Rewrite links to signed click URLs (copied to the frozen content when the campaign starts).</summary>
    public bool TrackClicks { get; set; } = true;
    /// <summary>When a scheduled campaign starts (UTC).</summary>
    public DateTime? ScheduledAt { get; set; }
    /// <summary>The operator's time zone (IANA id) the schedule was entered in, to show it back as they wrote it.</summary>
    public string? TimeZoneId { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime UpdatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? StartedAt { get; set; }
    public DateTime? PausedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>The frozen content all the campaign's messages render from, made when the campaign starts.</summary>
    public long? ContentId { get; set; }
    /// <summary>The last contact id expanded into outbox rows (contacts are expanded in id order).</summary>
    public long ExpansionCursor { get; set; }
    public DateTime? ExpandedAt { get; set; }
    /// <summary>With a rate: when the next expanded message may be sent (messages are spaced by their due time).</summary>
    public DateTime? NextDueAt { get; set; }
    public long Expanded { get; set; }
    public long SkippedSuppressed { get; set; }
    public long SkippedUnsubscribed { get; set; }
    public long SkippedInvalid { get; set; }
    /// <summary>Recipients for whom the template reads a variable their contact does not have (rendered empty or as its default).</summary>
    public long MissingVariables { get; set; }
    public List<CampaignList> Lists { get; set; } = [];

    public bool IsEditable => Status is CampaignStatus.Draft or CampaignStatus.Scheduled;
    public bool IsFinished => Status is CampaignStatus.Sent or CampaignStatus.Cancelled or CampaignStatus.Failed;
}

/// <summary>A list a campaign goes to, or (Excluded) whose members it leaves out.</summary>
public sealed class CampaignList : ITenantOwned
{
    public long CampaignId { get; set; }
    public long ListId { get; set; }
    public long WorkspaceId { get; set; }
    public bool Excluded { get; set; }
    public ContactList? List { get; set; }
}
