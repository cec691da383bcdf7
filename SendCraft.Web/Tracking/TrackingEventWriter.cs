using System.Globalization;
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
        // Work done once a round, not once a batch: a round after a burst can hold 100,000 hits written in 50 batches.
        var heldClicks = ClicksByMessage(_pending);
        for (var start = 0; start < count; start += _options.BatchSize)
        {
            var take = Math.Min(count - start, _options.BatchSize);
            var batch = _pending.GetRange(start, take);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await WriteBatchAsync(batch, heldClicks, ct);
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
        }
        _pending.RemoveRange(0, count);
        ForgetOldClicks();
    }

    /// <summary>Clicks held in memory (the batch being written and those still waiting), per message, for the burst rule.</summary>
    private static Dictionary<long, List<(int Index, DateTime At)>> ClicksByMessage(List<TrackingHit> held)
    {
        var byMessage = new Dictionary<long, List<(int, DateTime)>>();
        foreach (var h in held)
        {
            if (h.Type != MessageEventType.Click) continue;
            if (!byMessage.TryGetValue(h.MessageId, out var list)) byMessage[h.MessageId] = list = [];
            list.Add((h.LinkIndex ?? 0, h.At));
        }
        return byMessage;
    }

    private static readonly string[] EventColumns = ["WorkspaceId", "MessageId", "CampaignId", "Type", "OccurredAt", "IsMachine", "IsUnique", "LinkIndex", "UserAgent"];

    private async Task WriteBatchAsync(List<TrackingHit> batch, Dictionary<long, List<(int Index, DateTime At)>> heldClicks, CancellationToken ct)
    {
        var messages = new Dictionary<long, TrackedMessage>();
        foreach (var hit in batch)
            if (!messages.ContainsKey(hit.MessageId) && await links.GetAsync(hit.MessageId, ct) is { } m) messages[hit.MessageId] = m;

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var seen = await StoredUniqueAsync(db, messages.Keys, ct);
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
                var others = heldClicks.GetValueOrDefault(hit.MessageId, [])
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
            await MultiRowInsert.InsertAsync(db, "MessageEvents", EventColumns, rows, e =>
                [e.WorkspaceId, e.MessageId, e.CampaignId, e.Type.ToString(), e.OccurredAt, e.IsMachine, e.IsUnique, e.LinkIndex, e.UserAgent], ct);
            if (events is { Count: > 0 }) await webhooks.EnqueueAsync(events, ct);
            await tx.CommitAsync(ct);
        }
        hits.CountWritten(rows.Count);
        Remember(rows);
    }

    /// <summary>
    /// Which (message, type, human or machine) already have their unique event stored, by the (MessageId, Type) index.
    /// Plain SQL with the ids inlined (they are numbers): EF would build a new SQL text for each list of ids.
    /// </summary>
    private static async Task<HashSet<(long, MessageEventType, bool)>> StoredUniqueAsync(SendCraftDbContext db, IEnumerable<long> messageIds, CancellationToken ct)
    {
        var seen = new HashSet<(long, MessageEventType, bool)>();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            foreach (var chunk in messageIds.Chunk(500))
            {
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = "SELECT DISTINCT MessageId, Type, IsMachine FROM MessageEvents WHERE MessageId IN (" +
                                      string.Join(",", chunk.Select(id => id.ToString(CultureInfo.InvariantCulture))) +
                                      ") AND Type IN ('Open', 'Click') AND IsUnique = 1";
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    seen.Add((reader.GetInt64(0), Enum.Parse<MessageEventType>(reader.GetString(1)), reader.GetBoolean(2)));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return seen;
    }

    /// <summary>Keeps the batch's clicks for the burst rule of later rounds.</summary>
    private void Remember(List<MessageEvent> rows)
    {
        foreach (var row in rows)
        {
            if (row.Type != MessageEventType.Click) continue;
            if (!_recentClicks.TryGetValue(row.MessageId, out var list)) _recentClicks[row.MessageId] = list = [];
            list.Add((row.LinkIndex ?? 0, row.OccurredAt));
        }
    }

    /// <summary>Only the last few seconds of written clicks matter to the burst rule.</summary>
    private void ForgetOldClicks()
    {
        var horizon = clock.GetUtcNow().UtcDateTime - _options.HoldBack - MachineRules.ClickBurst - TimeSpan.FromSeconds(5);
        foreach (var (id, list) in _recentClicks)
        {
            list.RemoveAll(c => c.At < horizon);
            if (list.Count == 0) _recentClicks.Remove(id);
        }
    }
}
