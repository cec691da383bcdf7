using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Webhooks;

/// <summary>
/// Which enabled endpoints subscribe to which event types, for every workspace, cached for
/// Webhooks:SubscriptionCacheTtl. The sending engine asks for every batch it records (about 2,000 messages a second),
/// so the answer must cost nothing: one small query per TTL per instance, and none per message. An endpoint change in
/// this instance takes effect at once (<see cref="Invalidate"/>); in other instances within the TTL.
/// </summary>
public sealed class WebhookSubscriptions(IOptions<WebhookOptions> options, TimeProvider clock)
{
    private sealed record Snapshot(DateTime LoadedAt, Dictionary<long, List<(long EndpointId, HashSet<string> Types)>> ByWorkspace);

    private readonly TimeSpan _ttl = options.Value.SubscriptionCacheTtl;
    private volatile Snapshot? _snapshot;

    public void Invalidate() => _snapshot = null;

    /// <summary>The enabled endpoints of <paramref name="workspaceId"/> subscribed to <paramref name="eventType"/> (empty when none).</summary>
    public async ValueTask<IReadOnlyList<long>> EndpointsAsync(SendCraftDbContext db, long workspaceId, string eventType, CancellationToken ct)
    {
        var snapshot = await CurrentAsync(db, ct);
        if (snapshot.ByWorkspace.Count == 0 || !snapshot.ByWorkspace.TryGetValue(workspaceId, out var endpoints)) return [];
        return endpoints.Where(e => e.Types.Contains(eventType)).Select(e => e.EndpointId).ToList();
    }

    /// <summary>True when no workspace has an enabled endpoint: callers skip all webhook work.</summary>
    public async ValueTask<bool> NoneAsync(SendCraftDbContext db, CancellationToken ct) => (await CurrentAsync(db, ct)).ByWorkspace.Count == 0;

    private async ValueTask<Snapshot> CurrentAsync(SendCraftDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_snapshot is { } s && now - s.LoadedAt < _ttl && now >= s.LoadedAt) return s;
        var rows = await db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking().Where(e => e.IsEnabled)
            .Select(e => new { e.Id, e.WorkspaceId, e.EventTypes }).ToListAsync(ct);
        var fresh = new Snapshot(now, rows.GroupBy(r => r.WorkspaceId).ToDictionary(
            g => g.Key, g => g.Select(r => (r.Id, WebhookEventTypes.Parse(r.EventTypes).ToHashSet())).ToList()));
        _snapshot = fresh;
        return fresh;
    }
}
