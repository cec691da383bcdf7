using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Webhooks;

/// <summary>An event for the webhooks of one workspace; Data becomes the "data" member of the JSON body.</summary>
public sealed record WebhookEvent(long WorkspaceId, string EventType, object Data);

/// <summary>
/// Turns events into delivery rows (one per subscribed, enabled endpoint) in the webhook queue. The rows are written on
/// the DbContext's connection and inside its current transaction, if one is open, so an event is committed together
/// with what caused it (or not at all). Nothing is written, and no query runs beyond the cached subscription list, when
/// no endpoint of the workspace subscribes to the event type.
/// Body: {"type": "message.sent", "timestamp": "2026-01-01T12:00:00.000Z", "data": {...}}, property names in snake_case.
/// </summary>
public sealed class WebhookEvents(SendCraftDbContext db, WebhookSubscriptions subscriptions, WebhookSignal signal, TimeProvider clock)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private const int RowsPerStatement = 100;

    /// <summary>
    /// Queues <paramref name="eventType"/> (see WebhookEventTypes) with <paramref name="payload"/> as its data for the
    /// workspace's subscribed endpoints. Call it inside the transaction of the change it reports (for example
    /// <c>await using var tx = await db.Database.BeginTransactionAsync(); ...; await events.EnqueueAsync(...); await tx.CommitAsync();</c>)
    /// with the same scope's DbContext. Returns how many deliveries were queued (0 when nobody subscribes).
    /// </summary>
    public Task<int> EnqueueAsync(long workspaceId, string eventType, object payload, CancellationToken ct = default) =>
        EnqueueAsync([new WebhookEvent(workspaceId, eventType, payload)], ct);

    /// <summary>Whether any enabled endpoint of the workspace subscribes to the event type (cached; cheap).</summary>
    public async ValueTask<bool> IsSubscribedAsync(long workspaceId, string eventType, CancellationToken ct = default) =>
        (await subscriptions.EndpointsAsync(db, workspaceId, eventType, ct)).Count > 0;

    /// <summary>True when no workspace has an enabled endpoint at all (cached; cheap).</summary>
    public ValueTask<bool> NoneAsync(CancellationToken ct = default) => subscriptions.NoneAsync(db, ct);

    public async Task<int> EnqueueAsync(IReadOnlyList<WebhookEvent> events, CancellationToken ct = default)
    {
        if (events.Count == 0 || await subscriptions.NoneAsync(db, ct)) return 0;
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = new List<(long WorkspaceId, long EndpointId, string EventId, string Type, string Body)>();
        foreach (var e in events)
        {
            var endpoints = await subscriptions.EndpointsAsync(db, e.WorkspaceId, e.EventType, ct);
            if (endpoints.Count == 0) continue;
            var (eventId, body) = Body(e.EventType, e.Data, now);
            rows.AddRange(endpoints.Select(endpoint => (e.WorkspaceId, endpoint, eventId, e.EventType, body)));
        }
        if (rows.Count == 0) return 0;
        await InsertAsync(rows, now, ct);
        signal.Notify();
        return rows.Count;
    }

    /// <summary>Queues an event for one endpoint whatever it subscribes to (the page's "Send test event").</summary>
    public async Task<WebhookDelivery> EnqueueForEndpointAsync(WebhookEndpoint endpoint, string eventType, object payload, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (eventId, body) = Body(eventType, payload, now);
        var delivery = new WebhookDelivery
        {
            WorkspaceId = endpoint.WorkspaceId, EndpointId = endpoint.Id, EventId = eventId, EventType = eventType, Payload = body,
            Status = WebhookDeliveryStatus.Pending, DueAt = now, CreatedAt = now,
        };
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct);
        signal.Notify();
        return delivery;
    }

    /// <summary>A new event id (the webhook-id header) and the JSON body.</summary>
    public static (string EventId, string Body) Body(string eventType, object data, DateTime now)
    {
        var eventId = "evt_" + Guid.CreateVersion7().ToString("N");
        var body = JsonSerializer.Serialize(new { type = eventType, timestamp = now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), data }, Json);
        return (eventId, body);
    }

    private static readonly string[] DeliveryColumns = ["WorkspaceId", "EndpointId", "EventId", "EventType", "Payload", "Status", "Attempts", "DueAt", "CreatedAt"];

    /// <summary>Multi-row INSERTs on the context's connection and transaction (queued with the change they report).</summary>
    private Task InsertAsync(List<(long WorkspaceId, long EndpointId, string EventId, string Type, string Body)> rows, DateTime now, CancellationToken ct) =>
        MultiRowInsert.InsertAsync(db, "WebhookDeliveries", DeliveryColumns, rows,
            r => [r.WorkspaceId, r.EndpointId, r.EventId, r.Type, r.Body, nameof(WebhookDeliveryStatus.Pending), 0, now, now], ct, RowsPerStatement);
}
