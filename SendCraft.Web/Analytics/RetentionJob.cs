using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using SendCraft.Web.Data;

namespace SendCraft.Web.Analytics;

/// <summary>
/// Purges message bodies after Retention:MessageBodyDays: the HTML and text of a content, its attachments and the sent
/// headers of its messages, once the content is older than the cutoff and every message made from it is final (sent,
/// failed, bounced, suppressed, cancelled, sandboxed) and no unfinished campaign renders from it. The message rows,
/// their attempts, events and the rollups stay: the log, the reports and the dashboard keep working; the detail page says
/// the body was purged. Bounded batches: a transaction never holds more than BatchSize contents or messages.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RetentionJob(SendCraftDbContext db, TimeProvider clock, IOptions<RetentionOptions> options, ILogger<RetentionJob> log) : IJob
{
    public static readonly JobKey Key = new("retention", "system");

    private static readonly MessageStatus[] Unfinished = [MessageStatus.Queued, MessageStatus.Sending, MessageStatus.Deferred, MessageStatus.Paused];

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) => await RunAsync(cancellationToken);

    /// <summary>Purges what is due; returns the number of contents purged.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now.AddDays(-options.Value.MessageBodyDays);
        var batch = options.Value.BatchSize;
        var purged = 0;
        long after = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var ids = await Purgeable(cutoff).Where(c => c.Id > after).OrderBy(c => c.Id).Select(c => c.Id).Take(batch).ToListAsync(ct);
            if (ids.Count == 0) break;
            after = ids[^1];

            // Sent headers first, a batch of messages at a time (a campaign's content has a message per recipient). If the
            // run stops half way, the content is still unpurged and the next run finishes its messages.
            long afterMessage = 0;
            while (true)
            {
                var messages = await db.OutboundMessages.IgnoreQueryFilters()
                    .Where(m => ids.Contains(m.ContentId) && m.SentHeaders != null && m.Id > afterMessage)
                    .OrderBy(m => m.Id).Select(m => m.Id).Take(batch * 10).ToListAsync(ct);
                if (messages.Count == 0) break;
                afterMessage = messages[^1];
                await db.OutboundMessages.IgnoreQueryFilters().Where(m => messages.Contains(m.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.SentHeaders, (string?)null), ct);
            }

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // The conditions again, in the update itself: a message retried since the search keeps its content.
            var done = await Purgeable(cutoff).Where(c => ids.Contains(c.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.HtmlBody, (string?)null).SetProperty(c => c.TextBody, (string?)null)
                    .SetProperty(c => c.BodyPurgedAt, now), ct);
            await db.Set<MessageAttachment>().IgnoreQueryFilters()
                .Where(a => ids.Contains(a.ContentId) && db.MessageContents.IgnoreQueryFilters().Any(c => c.Id == a.ContentId && c.BodyPurgedAt == now))
                .ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
            purged += done;
        }
        if (purged > 0) log.LogInformation("Retention: purged the bodies of {Count} message contents made before {Cutoff:u}", purged, cutoff);
        return purged;
    }

    private IQueryable<MessageContent> Purgeable(DateTime cutoff) =>
        db.MessageContents.IgnoreQueryFilters().Where(c => c.BodyPurgedAt == null && c.CreatedAt < cutoff
            && !db.OutboundMessages.IgnoreQueryFilters().Any(m => m.ContentId == c.Id && Unfinished.Contains(m.Status))
            && !db.Campaigns.IgnoreQueryFilters().Any(k => k.ContentId == c.Id && k.FinishedAt == null));
}
