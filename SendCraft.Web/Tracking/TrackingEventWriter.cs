using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;
using SendCraft.Web.Webhooks;

namespace SendCraft.Web.Tracking;

/// <summary>
/// Drains <see cref="TrackingHits"/> into MessageEvents rows, in batches (one INSERT round per batch, with the webhook
/// deliveries of the batch in the same transaction). Each hit is held <see cref="TrackingOptions.HoldBack"/> before it
/// is written, so a link scanner's burst is judged whole (<see cref="MachineRules"/>). Sets IsMachine, IsUnique (the
/// first event of its type and kind, human or machine, for its message: checked within the batch and against the
/// stored events by the (MessageId, Type) index) and CampaignId. On shutdown it writes what it holds; a crash loses it.
/// </summary>
public sealed class TrackingEventWriter(
    TrackingHits hits, TrackedLinks links, IServiceScopeFactory scopes, IOptions<TrackingOptions> options, TimeProvider clock,
    ILogger<TrackingEventWriter> log) : BackgroundService
{
    private readonly TrackingOptions _options = options.Value;
    private readonly List<TrackingHit> _pending = [];
    // Clicks written in the last few seconds, per message, for the burst rule across batches.
    private readonly Dictionary<long, List<(int Index, DateTime At)>> _recentClicks = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tick = _options.HoldBack > TimeSpan.Zero ? _options.HoldBack / 2 : TimeSpan.FromMilliseconds(100);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_pending.Count == 0 && !await hits.Reader.WaitToReadAsync(stoppingToken)) break;
                await Task.Delay(tick, clock, stoppingToken);
                Drain();
                var cutoff = clock.GetUtcNow().UtcDateTime - _options.HoldBack;
                var ready = _pending.TakeWhile(h => h.At <= cutoff).Count();
                if (ready > 0) await WriteAsync(ready, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        // Shutdown: everything held and buffered is written now (within the host's shutdown timeout).
        Drain();
        if (_pending.Count > 0) await WriteAsync(_pending.Count, CancellationToken.None);
        // A warning when anything was lost, so an operator (and bench/run tracking) sees it at the default log level.
        log.Log(hits.Dropped > 0 ? LogLevel.Warning : LogLevel.Information,
            "Tracking events: {Written} written, {Dropped} dropped since start", hits.Written, hits.Dropped);
    }

    private void Drain()
    {
        while (hits.Reader.TryRead(out var hit))
        {
            // The database has been unreachable for a while: what does not fit is dropped and counted, memory stays bounded.
            if (_pending.Count >= _options.ChannelCapacity) hits.CountDropped(1);
            else _pending.Add(hit);
        }
    }

    /// <summary>Writes the first <paramref name="count"/> pending hits (the others stay as context for the burst rule).</summary>
    private async Task WriteAsync(int count, CancellationToken ct)
    {
        while (count > 0)
        {
            var take = Math.Min(count, _options.BatchSize);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await WriteBatchAsync(_pending.GetRange(0, take), ct);
                    break;
                }
                catch (Exception ex) when (attempt < 3 && ex is not OperationCanceledException)
                {
                    log.LogWarning(ex, "Tracking events: a batch of {Count} could not be written; trying again", take);
                    await Task.Delay(TimeSpan.FromSeconds(attempt), clock, ct);
                }
                catch (Exception ex)
                {
                    log.LogError(ex, "Tracking events: a batch of {Count} could not be written and is dropped", take);
                    hits.CountDropped(take);
                    break;
                }
            }
            _pending.RemoveRange(0, take);
            count -= take;
        }
    }

    private async Task WriteBatchAsync(List<TrackingHit> batch, CancellationToken ct)
    {
        var messages = new Dictionary<long, TrackedMessage>();
        foreach (var id in batch.Select(h => h.MessageId).Distinct())
            if (await links.GetAsync(id, ct) is { } m) messages[id] = m;

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var ids = messages.Keys.ToList();
        var seen = new HashSet<(long, MessageEventType, bool)>();
        foreach (var chunk in ids.Chunk(500))
        {
            var stored = await db.MessageEvents.IgnoreQueryFilters().AsNoTracking()
                .Where(e => chunk.Contains(e.MessageId) && (e.Type == MessageEventType.Open || e.Type == MessageEventType.Click) && e.IsUnique)
                .Select(e => new { e.MessageId, e.Type, e.IsMachine }).Distinct().ToListAsync(ct);
            foreach (var s in stored) seen.Add((s.MessageId, s.Type, s.IsMachine));
        }

        // Clicks held in memory (this batch and those still waiting) and recently written, per message, for the burst rule.
        var clicksByMessage = _pending.Where(h => h.Type == MessageEventType.Click).GroupBy(h => h.MessageId)
            .ToDictionary(g => g.Key, g => g.Select(h => (Index: h.LinkIndex ?? 0, h.At)).ToList());
        var rows = new List<MessageEvent>(batch.Count);
        foreach (var hit in batch)
        {
            if (!messages.TryGetValue(hit.MessageId, out var m)) continue; // the message was deleted
            bool machine;
            if (hit.Type == MessageEventType.Open)
            {
                machine = MachineRules.IsMachineOpen(hit.UserAgent, m.SentAt, hit.At);
            }
            else
            {
                var others = clicksByMessage.GetValueOrDefault(hit.MessageId, [])
                    .Concat(_recentClicks.GetValueOrDefault(hit.MessageId, []))
                    .Where(c => c.Index != hit.LinkIndex).Select(c => c.At);
                machine = MachineRules.IsMachineClick(hit.UserAgent, m.SentAt, hit.At, others);
            }
            rows.Add(new MessageEvent
            {
                WorkspaceId = m.WorkspaceId, MessageId = m.Id, CampaignId = m.CampaignId, Type = hit.Type, OccurredAt = hit.At,
                IsMachine = machine, IsUnique = seen.Add((m.Id, hit.Type, machine)), LinkIndex = hit.LinkIndex, UserAgent = hit.UserAgent,
            });
        }
        if (rows.Count == 0) return;

        var webhooks = scope.ServiceProvider.GetRequiredService<WebhookEvents>();
        var events = await webhooks.NoneAsync(ct) ? null : new List<WebhookEvent>();
        if (events is not null)
        {
            foreach (var row in rows)
            {
                var type = row.Type == MessageEventType.Open ? WebhookEventTypes.MessageOpened : WebhookEventTypes.MessageClicked;
                if (!await webhooks.IsSubscribedAsync(row.WorkspaceId, type, ct)) continue;
                var m = messages[row.MessageId];
                events.Add(new WebhookEvent(row.WorkspaceId, type, new
                {
                    id = m.Id, message_id = m.MessageIdHeader, recipient = m.Recipient, campaign_id = m.CampaignId, at = row.OccurredAt,
                    machine = row.IsMachine, unique = row.IsUnique, link_index = row.LinkIndex,
                    url = row.LinkIndex is { } i && i < m.Urls.Length ? m.Urls[i] : null, user_agent = row.UserAgent,
                }));
            }
        }

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            db.MessageEvents.AddRange(rows);
            await db.SaveChangesAsync(ct);
            if (events is { Count: > 0 }) await webhooks.EnqueueAsync(events, ct);
            await tx.CommitAsync(ct);
        }
        hits.CountWritten(rows.Count);
        Remember(rows);
    }

    private void Remember(List<MessageEvent> rows)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var row in rows.Where(r => r.Type == MessageEventType.Click))
        {
            if (!_recentClicks.TryGetValue(row.MessageId, out var list)) _recentClicks[row.MessageId] = list = [];
            list.Add((row.LinkIndex ?? 0, row.OccurredAt));
        }
        // Only the last few seconds matter to the burst rule.
        var horizon = now - _options.HoldBack - MachineRules.ClickBurst - TimeSpan.FromSeconds(5);
        foreach (var (id, list) in _recentClicks.ToList())
        {
            list.RemoveAll(c => c.At < horizon);
            if (list.Count == 0) _recentClicks.Remove(id);
        }
    }
}
