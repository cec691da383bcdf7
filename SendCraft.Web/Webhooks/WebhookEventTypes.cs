namespace SendCraft.Web.Webhooks;

/// <summary>The event types an endpoint can subscribe to, with the words the page shows for them.</summary>
public static class WebhookEventTypes
{
    public const string MessageQueued = "message.queued";
    public const string MessageSent = "message.sent";
    public const string MessageDeferred = "message.deferred";
    public const string MessageFailed = "message.failed";
    public const string MessageBounced = "message.bounced";
    public const string MessageComplained = "message.complained";
    public const string MessageOpened = "message.opened";
    public const string MessageClicked = "message.clicked";
    public const string MessageUnsubscribed = "message.unsubscribed";
    public const string CampaignStarted = "campaign.started";
    public const string CampaignFinished = "campaign.finished";
    /// <summary>Sent by "Send test event" to one endpoint, whatever it subscribes to.</summary>
    public const string Test = "webhook.test";

    public static readonly IReadOnlyList<(string Type, string Description)> All =
    [
        (MessageQueued, "A message entered the outbox."),
        (MessageSent, "The receiving server accepted a message (2xx)."),
        (MessageDeferred, "A try failed temporarily (4xx, no connection); it is retried."),
        (MessageFailed, "A message will not be delivered (5xx, or retries ran out)."),
        (MessageBounced, "The receiving server said the address does not exist (the recipient is suppressed)."),
        (MessageComplained, "The recipient marked a message as spam."),
        (MessageOpened, "The recipient opened a message."),
        (MessageClicked, "The recipient clicked a link."),
        (MessageUnsubscribed, "The recipient unsubscribed."),
        (CampaignStarted, "A campaign began sending."),
        (CampaignFinished, "A campaign finished sending."),
    ];

    public static bool IsKnown(string type) => All.Any(t => t.Type == type);

    public static string[] Parse(string stored) => stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static string Format(IEnumerable<string> types) => string.Join(' ', types.Where(IsKnown).Distinct().OrderBy(t => t, StringComparer.Ordinal));
}
