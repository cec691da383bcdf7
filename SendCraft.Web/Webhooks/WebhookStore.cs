using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;

namespace SendCraft.Web.Webhooks;

/// <summary>A claimed delivery with what sending it needs.</summary>
public sealed record DeliveryWork(WebhookDelivery Delivery, WebhookEndpoint? Endpoint);

/// <summary>The result of one POST.</summary>
public sealed record DeliveryAttempt(long DeliveryId, long EndpointId, bool Success, int? StatusCode, int Milliseconds, string? Body, string? Error, DateTime At);

/// <summary>
/// The webhook queue's storage side for the worker, across all workspaces: claim due deliveries under a lease (the
/// outbox's pattern: FOR UPDATE SKIP LOCKED on MySQL so instances take different rows; SQLite's single writer
/// elsewhere), record outcomes (conditional on the lease still being this instance's), count an endpoint's failures
/// and disable it after Webhooks:DisableAfterFailures in a row.
/// </summary>
public sealed class WebhookStore(SendCraftDbContext db, IOptions<WebhookOptions> options, IOptions<SendingOptions> sending,
    WebhookSubscriptions subscriptions, TimeProvider clock, ILogger<WebhookStore> log)
{
    private readonly WebhookOptions _options = options.Value;
    private readonly string _me = sending.Value.InstanceId;
    private static readonly WebhookDeliveryStatus[] Claimable = [WebhookDeliveryStatus.Pending, WebhookDeliveryStatus.Delivering];

    private IQueryable<WebhookDelivery> Rows => db.WebhookDeliveries.IgnoreQueryFilters();
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Leases up to <paramref name="max"/> due deliveries (a Delivering row whose lease ran out is due again).</summary>
    public async Task<List<DeliveryWork>> ClaimAsync(int max, CancellationToken ct)
    {
        var now = Now;
        List<long> ids;
        await using (var tx = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct))
        {
            if (db.Database.IsMySql())
            {
                ids = await db.Database.SqlQuery<long>($"""
                    SELECT Id AS Value FROM WebhookDeliveries
                    WHERE Status IN ('Delivering', 'Pending') AND DueAt <= {now}
                    ORDER BY Status, DueAt LIMIT {max} FOR UPDATE SKIP LOCKED
                    """).ToListAsync(ct);
            }
            else
            {
                ids = await Rows.Where(d => Claimable.Contains(d.Status) && d.DueAt <= now)
                    .OrderBy(d => d.Status).ThenBy(d => d.DueAt).Select(d => d.Id).Take(max).ToListAsync(ct);
            }
            if (ids.Count == 0) return [];
            await Rows.Where(d => ids.Contains(d.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, WebhookDeliveryStatus.Delivering)
                .SetProperty(d => d.LeaseOwner, _me)
                .SetProperty(d => d.DueAt, now + _options.Lease), ct);
            await tx.CommitAsync(ct);
        }
        var deliveries = await Rows.AsNoTracking().Where(d => ids.Contains(d.Id)).ToListAsync(ct);
        var endpointIds = deliveries.Select(d => d.EndpointId).Distinct().ToList();
        var endpoints = await db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking().Where(e => endpointIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
        return deliveries.Select(d => new DeliveryWork(d, endpoints.GetValueOrDefault(d.EndpointId))).ToList();
    }

    /// <summary>Writes the outcome of each attempt and the endpoints' failure counts; disables endpoints that failed too often.</summary>
    public async Task RecordAsync(IReadOnlyList<DeliveryAttempt> attempts, CancellationToken ct)
    {
        if (attempts.Count == 0) return;
        // One transaction: a delivery's outcome and its endpoint's counters are seen together or not at all.
        await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        foreach (var a in attempts)
        {
            var row = await Rows.AsNoTracking().Where(d => d.Id == a.DeliveryId && d.LeaseOwner == _me && d.Status == WebhookDeliveryStatus.Delivering)
                .Select(d => new { d.Attempts, d.CreatedAt }).FirstOrDefaultAsync(ct);
            if (row is null) continue; // the lease ran out and another instance has the row now
            var count = row.Attempts + 1;
            WebhookDeliveryStatus status;
            DateTime dueAt;
            var error = a.Error;
            if (a.Success)
            {
                (status, dueAt) = (WebhookDeliveryStatus.Succeeded, a.At);
            }
            else if (a.At >= row.CreatedAt + _options.RetryFor)
            {
                (status, dueAt) = (WebhookDeliveryStatus.Failed, a.At);
                error = Trim($"Gave up after {count} attempts over {Words(a.At - row.CreatedAt)}. " + (error ?? $"Last answer: HTTP {a.StatusCode}."));
            }
            else
            {
                (status, dueAt) = (WebhookDeliveryStatus.Pending, a.At + Delay(count));
            }
            await Rows.Where(d => d.Id == a.DeliveryId && d.LeaseOwner == _me && d.Status == WebhookDeliveryStatus.Delivering)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Status, status).SetProperty(d => d.Attempts, count).SetProperty(d => d.DueAt, dueAt)
                    .SetProperty(d => d.LeaseOwner, (string?)null).SetProperty(d => d.LastAttemptAt, a.At)
                    .SetProperty(d => d.ResponseCode, a.StatusCode).SetProperty(d => d.ResponseMs, a.Milliseconds)
                    .SetProperty(d => d.ResponseBody, Trim(a.Body)).SetProperty(d => d.Error, Trim(error))
                    .SetProperty(d => d.DeliveredAt, a.Success ? a.At : null), ct);
            await CountAsync(a, ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>Deliveries that cannot be attempted (endpoint deleted or disabled) are closed without a request.</summary>
    public Task FailWithoutAttemptAsync(long deliveryId, string reason, CancellationToken ct)
    {
        var now = Now;
        return Rows.Where(d => d.Id == deliveryId && d.LeaseOwner == _me && d.Status == WebhookDeliveryStatus.Delivering)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatus.Failed).SetProperty(d => d.LeaseOwner, (string?)null)
                .SetProperty(d => d.DueAt, now).SetProperty(d => d.Error, reason), ct);
    }

    /// <summary>On shutdown: leased rows not attempted go back to the queue at once.</summary>
    public Task<int> ReleaseAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var now = Now;
        return Rows.Where(d => ids.Contains(d.Id) && d.LeaseOwner == _me && d.Status == WebhookDeliveryStatus.Delivering)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatus.Pending).SetProperty(d => d.LeaseOwner, (string?)null)
                .SetProperty(d => d.DueAt, now), ct);
    }

    private async Task CountAsync(DeliveryAttempt a, CancellationToken ct)
    {
        var endpoints = db.WebhookEndpoints.IgnoreQueryFilters().Where(e => e.Id == a.EndpointId);
        if (a.Success)
        {
            await endpoints.ExecuteUpdateAsync(s => s.SetProperty(e => e.ConsecutiveFailures, 0).SetProperty(e => e.LastSuccessAt, a.At), ct);
            return;
        }
        await endpoints.ExecuteUpdateAsync(s => s.SetProperty(e => e.ConsecutiveFailures, e => e.ConsecutiveFailures + 1).SetProperty(e => e.LastFailureAt, a.At), ct);
        var limit = _options.DisableAfterFailures;
        if (limit <= 0) return;
        var reason = Trim($"Disabled automatically after {limit} failed deliveries in a row (last: {(a.StatusCode is { } code ? $"HTTP {code}" : a.Error)}). " +
                          "Fix the receiver, then enable the endpoint again; failed deliveries can be redelivered from its log.");
        var disabled = await endpoints.Where(e => e.IsEnabled && e.ConsecutiveFailures >= limit).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.IsEnabled, false).SetProperty(e => e.DisabledAt, a.At).SetProperty(e => e.DisabledReason, reason), ct);
        if (disabled > 0)
        {
            subscriptions.Invalidate();
            log.LogWarning("Webhook endpoint {EndpointId} was disabled after {Limit} failed deliveries in a row", a.EndpointId, limit);
        }
    }

    /// <summary>Exponential backoff: RetryBaseDelay doubled per failed attempt, at most RetryMaxDelay.</summary>
    public TimeSpan Delay(int attempts)
    {
        var ticks = _options.RetryBaseDelay.Ticks * Math.Pow(2, Math.Min(attempts - 1, 40));
        return TimeSpan.FromTicks((long)Math.Min(ticks, _options.RetryMaxDelay.Ticks));
    }

    private static string Words(TimeSpan t) => t.TotalHours >= 1 ? $"{t.TotalHours:0.#} h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0} min" : $"{t.TotalSeconds:0} s";

    private static string? Trim(string? s) => s is null ? null : s.Length <= 1000 ? s : s[..1000];
}
