using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>
/// Whether a campaign's claimed messages may still go out: a pause or a cancel must stop a batch already on the wire
/// (a batch can hold hundreds of one campaign's messages for many seconds under a rate limit), not only future claims.
/// The sender asks before each message; answers are cached for a second, so another instance's pause is seen within
/// about a second and a batch costs one query per campaign a second. Messages it stops get no outcome and are set aside
/// (<see cref="OutboxStore.SetAsideStoppedCampaignRowsAsync"/>).
/// </summary>
public sealed class CampaignGate(IServiceScopeFactory scopes, TimeProvider clock)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<long, (bool MaySend, DateTimeOffset At)> _known = new();

    public async ValueTask<bool> MaySendAsync(long campaignId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_known.TryGetValue(campaignId, out var known) && now - known.At < Freshness) return known.MaySend;
        await using var scope = scopes.CreateAsyncScope();
        var status = await scope.ServiceProvider.GetRequiredService<SendCraftDbContext>().Campaigns.IgnoreQueryFilters()
            .Where(c => c.Id == campaignId).Select(c => (CampaignStatus?)c.Status).FirstOrDefaultAsync(ct);
        var maySend = status is CampaignStatus.Sending or null; // a deleted campaign's messages are ordinary mail
        if (_known.Count > 10_000) _known.Clear();
        _known[campaignId] = (maySend, now);
        return maySend;
    }

    /// <summary>This instance paused or cancelled the campaign: its own sender stops at once.</summary>
    public void Forget(long campaignId) => _known.TryRemove(campaignId, out _);
}
