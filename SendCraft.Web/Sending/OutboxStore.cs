using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;
using SendCraft.Web.Webhooks;
using SendCraft.Web.Unsubscribe;

namespace SendCraft.Web.Sending;

/// <summary>The result of one delivery attempt, ready to be recorded.</summary>
public sealed record DeliveryResult(OutboundMessage Message, SmtpOutcome Outcome, DateTime StartedAt, DateTime FinishedAt, string? SentHeaders)
{
    /// <summary>Set when the attempt never reached the server for a reason unrelated to the message (daily limit): no attempt is counted.</summary>
    public DateTime? PostponeUntil { get; init; }
}

/// <summary>
/// The outbox's storage side for the workers: claim due rows under a lease, record outcomes, release leases.
/// Works across all workspaces (the workers serve every tenant), hence IgnoreQueryFilters throughout.
/// Every write is conditional on the row still being leased by this instance, so a worker whose lease ran out
/// (and whose rows another worker re-claimed) cannot overwrite the newer outcome.
/// </summary>
/// <remarks>
/// On MySQL the transactions run at READ COMMITTED: InnoDB then takes no gap locks for the claim's range scan,
/// which at REPEATABLE READ deadlocked with concurrent inserts of new mail.
/// </remarks>
public sealed class OutboxStore(SendCraftDbContext db, IOptions<SendingOptions> options, TimeProvider clock, WebhookEvents webhooks)
{
    private readonly SendingOptions _options = options.Value;
    private static readonly MessageStatus[] Claimable = [MessageStatus.Queued, MessageStatus.Deferred, MessageStatus.Sending];

    private IQueryable<OutboundMessage> Rows => db.OutboundMessages.IgnoreQueryFilters();
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Leases up to <paramref name="max"/> due rows and returns them with their content. A row in status Sending
    /// is due once its lease (DueAt) has expired: that is how a crashed worker's rows come back.
    /// </summary>
    public async Task<List<OutboundMessage>> ClaimAsync(int max, CancellationToken ct)
    {
        var now = Now;
        List<long> ids;
        await using (var tx = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct))
        {
            // Ordered as the (Status, DueAt) index is, so the claim is a range scan in index order that stops after
            // `max` rows, whatever the queue's length: ORDER BY DueAt alone made MySQL sort every due row (cost grew
            // with the queue; see docs/benchmarks.md, "Claim"). Due rows go status by status, oldest first in each.
            if (db.Database.IsMySql())
            {
                // Several instances share MySQL: SKIP LOCKED lets each take different rows without waiting.
                ids = await db.Database.SqlQuery<long>($"""
                    SELECT Id AS Value FROM OutboundMessages
                    WHERE Status IN ('Deferred', 'Queued', 'Sending') AND DueAt <= {now}
                    ORDER BY Status, DueAt LIMIT {max} FOR UPDATE SKIP LOCKED
                    """).ToListAsync(ct);
            }
            else
            {
                // SQLite: one writer at a time (the transaction starts IMMEDIATE), so a plain select is safe.
                ids = await Rows.Where(m => Claimable.Contains(m.Status) && m.DueAt <= now)
                    .OrderBy(m => m.Status).ThenBy(m => m.DueAt).Select(m => m.Id).Take(max).ToListAsync(ct);
            }
            if (ids.Count == 0) return [];
            var leaseEnd = now + _options.Lease;
            await Rows.Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageStatus.Sending)
                .SetProperty(m => m.LeaseOwner, _options.InstanceId)
                .SetProperty(m => m.DueAt, leaseEnd), ct);
            await tx.CommitAsync(ct);
        }
        return await Rows.AsNoTrackingWithIdentityResolution()
            .Where(m => ids.Contains(m.Id))
            .Include(m => m.Content!).ThenInclude(c => c.Attachments)
            .Include(m => m.Contact) // campaign mail is personalized from its contact's fields
            .ToListAsync(ct);
    }

    /// <summary>Accounts (with their domains) that the claimed rows go out through.</summary>
    public Task<Dictionary<long, SmtpAccount>> AccountsAsync(IEnumerable<long> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        return db.SmtpAccounts.IgnoreQueryFilters().AsNoTracking().Include(a => a.Domain)
            .Where(a => wanted.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
    }

    /// <summary>
    /// Ids of the batch's messages whose recipient is suppressed in their workspace (checked again at send time: the list
    /// may have grown since queueing). An unsubscribe suppresses campaign mail only (SuppressionScope).
    /// </summary>
    public async Task<HashSet<long>> SuppressedAsync(IReadOnlyCollection<OutboundMessage> batch, CancellationToken ct)
    {
        var emails = batch.Select(m => m.Recipient).Distinct().ToList();
        var rows = await db.Suppressions.IgnoreQueryFilters().Where(s => emails.Contains(s.Email))
            .Select(s => new { s.WorkspaceId, s.Email, s.Reason }).ToListAsync(ct);
        var reasons = rows.ToDictionary(r => (r.WorkspaceId, r.Email), r => r.Reason);
        var suppressed = new HashSet<long>();
        foreach (var m in batch)
        {
            if (reasons.TryGetValue((m.WorkspaceId, m.Recipient), out var reason) && SuppressionScope.Stops(reason, m)) suppressed.Add(m.Id);
            // A campaign message's contact that unsubscribed (or bounced, complained) since expansion is not mailed either.
            else if (m.Contact is { Status: not ContactStatus.Active }) suppressed.Add(m.Id);
        }
        return suppressed;
    }

    /// <summary>
    /// Writes the outcomes of a batch in one transaction: status, next try, attempt log, suppressions (the per-row
    /// SQL is in <see cref="OutcomeWrites"/>), and the webhook events of the outcomes, in the same transaction.
    /// </summary>
    public async Task RecordAsync(IReadOnlyList<DeliveryResult> results, CancellationToken ct)
    {
        if (results.Count == 0) return;
        var random = Random.Shared;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            await using var writes = await OutcomeWrites.CreateAsync(db, _options.InstanceId, results.Select(r => r.Message.Id).ToList(), ct);
            var newSuppressions = new Dictionary<(long, string), Suppression>();
            // Webhook events only when some workspace has an enabled endpoint (a cached answer, no query per batch).
            var events = await webhooks.NoneAsync(ct) ? null : new List<WebhookEvent>();
            foreach (var r in results)
            {
                var m = r.Message;
                if (r.PostponeUntil is { } until)
                {
                    await writes.PostponeAsync(m.Id, until, r.Outcome.Response, ct);
                    continue;
                }

                var attempts = m.Attempts + 1;
                var outcome = r.Outcome.Kind == OutcomeKind.Deferred && attempts >= _options.MaxAttempts ? r.Outcome.GiveUp(attempts) : r.Outcome;
                var (status, attempt) = outcome.Kind switch
                {
                    OutcomeKind.Sent => (MessageStatus.Sent, AttemptOutcome.Sent),
                    OutcomeKind.Deferred => (MessageStatus.Deferred, AttemptOutcome.Deferred),
                    _ => (MessageStatus.Failed, AttemptOutcome.Failed),
                };
                var dueAt = outcome.Kind == OutcomeKind.Deferred
                    ? r.FinishedAt + RetryPolicy.Delay(attempts, _options.RetryBaseDelay, _options.RetryMaxDelay, random.NextDouble())
                    : r.FinishedAt;
                DateTime? sentAt = outcome.Kind == OutcomeKind.Sent ? r.FinishedAt : null;
                if (!await writes.OutcomeAsync(m.Id, status, attempts, dueAt, sentAt, outcome, r.SentHeaders, ct))
                    continue; // our lease ran out and another worker owns the row now

                await writes.AttemptAsync(m, r, attempt, outcome, ct);
                events?.AddRange(MessageEvents.Outcome(m, outcome, attempts, r.FinishedAt, outcome.Kind == OutcomeKind.Deferred ? dueAt : null));
                if (outcome.SuppressRecipient)
                {
                    newSuppressions.TryAdd((m.WorkspaceId, m.Recipient), new Suppression
                    {
                        WorkspaceId = m.WorkspaceId, Email = m.Recipient, Reason = SuppressionReason.HardBounce,
                        Detail = outcome.Response, CreatedAt = r.FinishedAt,
                    });
                }
            }
            await writes.FlushAsync(ct);
            if (events is { Count: > 0 }) await webhooks.EnqueueAsync(events, ct);
            if (newSuppressions.Count > 0)
            {
                var emails = newSuppressions.Keys.Select(k => k.Item2).ToList();
                var existing = (await db.Suppressions.IgnoreQueryFilters().Where(s => emails.Contains(s.Email))
                    .Select(s => new { s.WorkspaceId, s.Email }).ToListAsync(ct)).Select(s => (s.WorkspaceId, s.Email)).ToHashSet();
                db.Suppressions.AddRange(newSuppressions.Where(kv => !existing.Contains(kv.Key)).Select(kv => kv.Value));
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
            await tx.CommitAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Marks rows suppressed without contacting any server.</summary>
    public Task MarkSuppressedAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var me = _options.InstanceId;
        return Rows.Where(m => ids.Contains(m.Id) && m.LeaseOwner == me && m.Status == MessageStatus.Sending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Suppressed).SetProperty(m => m.LeaseOwner, (string?)null)
                .SetProperty(m => m.LastSmtpResponse, "Not sent: the address is on the suppression list."), ct);
    }

    public Task TouchAccountsAsync(IReadOnlyCollection<long> accountIds, CancellationToken ct)
    {
        var now = Now;
        return db.SmtpAccounts.IgnoreQueryFilters().Where(a => accountIds.Contains(a.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.LastUsedAt, now), ct);
    }

    /// <summary>Rows of a batch that got no outcome (shutdown, a lease in doubt, a failure) go back to the queue at once.</summary>
    public Task<int> ReleaseAsync(IReadOnlyCollection<long> ids, CancellationToken ct) => Release(Rows.Where(m => ids.Contains(m.Id)), ct);

    /// <summary>
    /// Released rows of a campaign paused or cancelled meanwhile are set aside (Paused) or cancelled instead of waiting
    /// in the queue, where the workers would claim them again and again until the campaign monitor set them aside.
    /// </summary>
    public async Task SetAsideStoppedCampaignRowsAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var released = Rows.Where(m => ids.Contains(m.Id) && m.Status == MessageStatus.Queued && m.CampaignId != null && !m.IsTest);
        await released.Where(m => db.Campaigns.IgnoreQueryFilters().Any(c => c.Id == m.CampaignId && c.Status == CampaignStatus.Paused))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Paused), ct);
        await released.Where(m => db.Campaigns.IgnoreQueryFilters().Any(c => c.Id == m.CampaignId && c.Status == CampaignStatus.Cancelled))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Cancelled)
                .SetProperty(m => m.LastSmtpResponse, Campaigns.CampaignControl.CancelledResponse), ct);
    }

    /// <summary>On graceful shutdown: rows this instance claimed but did not finish go back to the queue at once.</summary>
    public Task<int> ReleaseAllAsync(CancellationToken ct) => Release(Rows, ct);

    private Task<int> Release(IQueryable<OutboundMessage> rows, CancellationToken ct)
    {
        var me = _options.InstanceId;
        var now = Now;
        return rows.Where(m => m.LeaseOwner == me && m.Status == MessageStatus.Sending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Queued)
                .SetProperty(m => m.LeaseOwner, (string?)null).SetProperty(m => m.DueAt, now), ct);
    }
}
