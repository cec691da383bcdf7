using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Tracking;

/// <summary>What the redirect and the event writer need to know about a message: kept in memory, read from the database once.</summary>
public sealed record TrackedMessage(
    long Id, long WorkspaceId, long ContentId, long? CampaignId, DateTime? SentAt, string Recipient, string MessageIdHeader, string[] Urls);

/// <summary>
/// The original URLs of tracked links (see <see cref="TrackedLinkSet"/>) and the message details of the tracking
/// endpoints, in a bounded memory cache: a hot message is answered from memory, a cold one costs one read (two small
/// indexed queries) and is then cached. The sending side stores link sets here before transmission.
/// </summary>
public sealed class TrackedLinks(IServiceScopeFactory scopes, IOptions<TrackingOptions> options) : IDisposable
{
    private readonly MemoryCache _messages = new(new MemoryCacheOptions { SizeLimit = options.Value.CachedMessages });
    // The baselines this process has stored or read, per content: sending many messages of one content checks memory only.
    private readonly ConcurrentDictionary<long, string[]> _baselines = new();
    private const int MaxBaselines = 10_000;

    private static readonly MemoryCacheEntryOptions Entry = new() { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) };

    /// <summary>The message, or null when it does not exist (a forged id cannot reach here: the token is checked first).</summary>
    public async ValueTask<TrackedMessage?> GetAsync(long messageId, CancellationToken ct)
    {
        if (_messages.TryGetValue(messageId, out TrackedMessage? cached)) return cached;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var m = await db.OutboundMessages.IgnoreQueryFilters().AsNoTracking().Where(o => o.Id == messageId)
            .Select(o => new { o.Id, o.WorkspaceId, o.ContentId, o.CampaignId, o.SentAt, o.Recipient, o.MessageId })
            .FirstOrDefaultAsync(ct);
        if (m is null) return null;
        var sets = await db.TrackedLinkSets.IgnoreQueryFilters().AsNoTracking()
            .Where(l => l.ContentId == m.ContentId && (l.MessageId == 0 || l.MessageId == m.Id))
            .Select(l => new { l.MessageId, l.UrlsJson }).ToListAsync(ct);
        var own = sets.FirstOrDefault(s => s.MessageId == m.Id) ?? sets.FirstOrDefault();
        var urls = own is null ? [] : JsonSerializer.Deserialize<string[]>(own.UrlsJson) ?? [];
        var message = new TrackedMessage(m.Id, m.WorkspaceId, m.ContentId, m.CampaignId, m.SentAt, m.Recipient, m.MessageId, urls);
        // SentAt is still null while the message is being sent: only the machine rules read it, and an open before the
        // row records SentAt is a prefetch anyway; not caching it would leave a hot message uncached.
        _messages.Set(messageId, message, Entry);
        return message;
    }

    /// <summary>
    /// Puts a message that is about to be transmitted into the cache, so its clicks and opens in the first hours (when
    /// most come) are answered without any read. <paramref name="sendingAt"/> stands in for SentAt (the row records it
    /// after the SMTP answer, a moment later), for the machine rules' timing.
    /// </summary>
    public void Remember(OutboundMessage message, IReadOnlyList<string> urls, DateTime sendingAt) =>
        _messages.Set(message.Id, new TrackedMessage(message.Id, message.WorkspaceId, message.ContentId, message.CampaignId, sendingAt,
            message.Recipient, message.MessageId, urls as string[] ?? urls.ToArray()), Entry);

    /// <summary>
    /// Stores the URLs of one message's links before it is transmitted: nothing when they equal its content's baseline,
    /// the baseline when the content has none yet, else the message's own set.
    /// </summary>
    public async Task StoreAsync(OutboundMessage message, IReadOnlyList<string> urls, CancellationToken ct)
    {
        var urlArray = urls.ToArray();
        var baseline = _baselines.TryGetValue(message.ContentId, out var known) ? known : await BaselineAsync(message, urlArray, ct);
        if (baseline.AsSpan().SequenceEqual(urlArray)) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var json = JsonSerializer.Serialize(urlArray);
        // A retry of the same message may render other links (its contact changed): the newest rendering is what was sent.
        var updated = await db.TrackedLinkSets.IgnoreQueryFilters()
            .Where(l => l.ContentId == message.ContentId && l.MessageId == message.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.UrlsJson, json), ct);
        if (updated == 0)
        {
            db.TrackedLinkSets.Add(new TrackedLinkSet { WorkspaceId = message.WorkspaceId, ContentId = message.ContentId, MessageId = message.Id, UrlsJson = json });
            await db.SaveChangesAsync(ct);
        }
    }

    private async Task<string[]> BaselineAsync(OutboundMessage message, string[] urls, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var stored = await db.TrackedLinkSets.IgnoreQueryFilters().AsNoTracking()
            .Where(l => l.ContentId == message.ContentId && l.MessageId == 0).Select(l => l.UrlsJson).FirstOrDefaultAsync(ct);
        string[] baseline;
        if (stored is not null)
        {
            baseline = JsonSerializer.Deserialize<string[]>(stored) ?? [];
        }
        else
        {
            db.TrackedLinkSets.Add(new TrackedLinkSet { WorkspaceId = message.WorkspaceId, ContentId = message.ContentId, MessageId = 0, UrlsJson = JsonSerializer.Serialize(urls) });
            try
            {
                await db.SaveChangesAsync(ct);
                baseline = urls;
            }
            catch (DbUpdateException)
            {
                // Another connection or instance stored the content's baseline at the same moment: theirs is the baseline.
                db.ChangeTracker.Clear();
                stored = await db.TrackedLinkSets.IgnoreQueryFilters().AsNoTracking()
                    .Where(l => l.ContentId == message.ContentId && l.MessageId == 0).Select(l => l.UrlsJson).FirstAsync(ct);
                baseline = JsonSerializer.Deserialize<string[]>(stored) ?? [];
            }
        }
        if (_baselines.Count >= MaxBaselines) _baselines.Clear();
        _baselines[message.ContentId] = baseline;
        return baseline;
    }

    public void Dispose() => _messages.Dispose();
}
