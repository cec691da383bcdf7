namespace SendCraft.Web.Data;

/// <summary>
/// A URL of the workspace's own systems that is told about events (message sent, bounced, campaign finished...).
/// Requests are signed with the endpoint's secret in the style of the Standard Webhooks specification.
/// </summary>
public sealed class WebhookEndpoint : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public string Url { get; set; } = "";
    public string? Description { get; set; }
    /// <summary>The subscribed event types, space-separated (e.g. "message.sent message.failed"); see WebhookEventTypes.</summary>
    public string EventTypes { get; set; } = "";
    public bool IsEnabled { get; set; } = true;
    /// <summary>The signing secret ("whsec_" + base64 of 32 random bytes), encrypted with Data Protection (SecretProtector).</summary>
    public string SecretProtected { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? SecretRotatedAt { get; set; }
    /// <summary>Failed delivery attempts in a row; a success resets it. At Webhooks:DisableAfterFailures the endpoint is disabled.</summary>
    public int ConsecutiveFailures { get; set; }
    public DateTime? LastSuccessAt { get; set; }
    public DateTime? LastFailureAt { get; set; }
    /// <summary>Set when the endpoint was disabled automatically (not by a person), with the reason shown on the page.</summary>
    public DateTime? DisabledAt { get; set; }
    public string? DisabledReason { get; set; }
}

public enum WebhookDeliveryStatus { Pending = 0, Delivering = 1, Succeeded = 2, Failed = 3 }

/// <summary>
/// One event for one endpoint: the durable queue (Pending rows are due at DueAt; Delivering rows are leased until
/// DueAt, so a crashed worker's rows come back by themselves) and, once done, the endpoint's delivery log.
/// </summary>
public sealed class WebhookDelivery : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long EndpointId { get; set; }
    /// <summary>The webhook-id header: the same for every attempt and every redelivery of an event, so receivers can de-duplicate.</summary>
    public string EventId { get; set; } = "";
    public string EventType { get; set; } = "";
    /// <summary>The JSON body exactly as it is sent (and signed).</summary>
    public string Payload { get; set; } = "";
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime DueAt { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? LastAttemptAt { get; set; }
    public int? ResponseCode { get; set; }
    /// <summary>How long the last attempt took, in milliseconds.</summary>
    public int? ResponseMs { get; set; }
    /// <summary>The start of the last response's body (or the error), for the log.</summary>
    public string? ResponseBody { get; set; }
    public string? Error { get; set; }
    public DateTime? DeliveredAt { get; set; }
    /// <summary>Set on a manual redelivery: the delivery it repeats.</summary>
    public long? RedeliveryOf { get; set; }
}
