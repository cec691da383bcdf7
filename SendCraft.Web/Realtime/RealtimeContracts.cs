namespace SendCraft.Web.Realtime;

/// <summary>
/// A campaign's progress as the panel shows it and as it is pushed to the workspace's browsers. Status is one of
/// Draft, Scheduled, Sending, Paused, Sent, Cancelled, Failed. Counters are message counts; PerMinute is the current
/// send rate; Eta is null when unknown (not sending, or no rate yet).
/// </summary>
public sealed record CampaignProgressView(long CampaignId, long WorkspaceId, string Name, string Status,
    long Total, long Expanded, long Queued, long Sending, long Sent, long Deferred, long Failed, long Bounced,
    long Suppressed, long Cancelled, long Skipped, double PerMinute, TimeSpan? Eta, DateTime UpdatedAt);

/// <summary>Pushes a campaign's progress to the browsers of its workspace's members (hub /hubs/campaigns).</summary>
public interface ICampaignProgressPublisher
{
    /// <summary>Renders the progress panel and sends it to the workspace's group. Never throws for a push that could
    /// not be delivered (the panel is a view; the campaign goes on): that is logged.</summary>
    Task PublishAsync(CampaignProgressView progress, CancellationToken ct = default);
}

/// <summary>Tells every member of a workspace about something that happened: persisted per member, pushed live.</summary>
public interface INotifier
{
    /// <summary>
    /// Writes one Notification row per member of <paramref name="workspaceId"/>, then pushes a toast and each member's
    /// new unread count (hub /hubs/notifications). <paramref name="kind"/>: one of <see cref="NotificationKinds"/>.
    /// <paramref name="link"/>: a path in this app ("/campaigns/12"); anything else is dropped. Texts longer than
    /// the columns are shortened. The rows are committed before the push; a failed push is logged, not thrown.
    /// </summary>
    Task NotifyWorkspaceAsync(long workspaceId, string kind, string title, string? body, string? link, CancellationToken ct = default);
}

/// <summary>The kinds of notification; the bell picks an icon and the toast a colour by kind.</summary>
public static class NotificationKinds
{
    public const string ImportFinished = "import-finished";
    public const string ImportFailed = "import-failed";
    public const string CampaignStarted = "campaign-started";
    public const string CampaignFinished = "campaign-finished";
    public const string CampaignFailed = "campaign-failed";
    public const string CampaignPaused = "campaign-paused";
    /// <summary>Someone answered: a reply arrived in the workspace's inbox (Inbound/).</summary>
    public const string ReplyReceived = "reply-received";

    /// <summary>"danger" for failures, "warning" for a pause, "success" for the rest (Bootstrap colour names).</summary>
    public static string Level(string kind) => kind switch
    {
        ImportFailed or CampaignFailed => "danger",
        CampaignPaused => "warning",
        _ => "success",
    };

    /// <summary>A Bootstrap Icons name for the kind.</summary>
    public static string Icon(string kind) => kind switch
    {
        ImportFinished => "upload",
        ImportFailed or CampaignFailed => "exclamation-triangle",
        CampaignStarted => "send",
        CampaignFinished => "check2-circle",
        CampaignPaused => "pause-circle",
        ReplyReceived => "reply",
        _ => "bell",
    };
}
