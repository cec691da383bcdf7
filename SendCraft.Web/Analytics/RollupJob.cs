using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using SendCraft.Web.Data;

namespace SendCraft.Web.Analytics;

/// <summary>
/// Keeps the dashboard's rollup tables (MessageStatsHourly, MessageStatsDaily) up to date incrementally: each run adds
/// the attempts and events written since the last run, read by id past a watermark, with one set-based
/// INSERT … SELECT … GROUP BY … upsert per bucket table, and moves the watermark in the same transaction.
/// <para>
/// Ids committed out of order: an auto-increment id is taken at insert and becomes visible at commit, so a transaction
/// holding id 6 may commit after id 7 was already visible. Rolling up to 7 at once would skip 6 for ever. So a run
/// only notes the highest visible id (PendingMaxId, with the time it saw it), and a later run rolls up to that id once
/// it is RollupSettle old: every transaction that had taken a lower id has then had the settle time to commit.
/// Writers of attempts and events commit in milliseconds; the bound is documented in docs/dashboard.md.
/// </para>
/// <para>
/// Several instances: Quartz runs it on one node of the cluster at a time (DisallowConcurrentExecution, persisted), and
/// each transaction first moves the watermark with a compare-and-set (WHERE LastId = the value read), so even two
/// overlapping runs could never add the same range twice: the second one's update matches no row and it rolls back.
/// </para>
/// </summary>
[DisallowConcurrentExecution]
public sealed class RollupJob(SendCraftDbContext db, TimeProvider clock, IOptions<AnalyticsOptions> options, ILogger<RollupJob> log) : IJob
{
    public static readonly JobKey Key = new("rollup", "system");
    public const string AttemptsSource = "MessageAttempts", EventsSource = "MessageEvents";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) => await RunAsync(cancellationToken);

    /// <summary>One pass over both sources; returns the number of ids (attempts, events) rolled up.</summary>
    public async Task<(long Attempts, long Events)> RunAsync(CancellationToken ct)
    {
        var attempts = await RunSourceAsync(AttemptsSource, ct);
        var events = await RunSourceAsync(EventsSource, ct);
        return (attempts, events);
    }

    private async Task<long> RunSourceAsync(string source, CancellationToken ct)
    {
        var mySql = db.Database.IsMySql();
        await db.Database.ExecuteSqlRawAsync(
            (mySql ? "INSERT IGNORE INTO" : "INSERT OR IGNORE INTO") + " RollupWatermarks (Source, LastId, PendingMaxId, PendingSince) VALUES ({0}, 0, 0, NULL)",
            [source], ct);
        var done = await RollUpSettledAsync(source, mySql, ct);
        await ObserveAsync(source, ct);
        // With no settle time (benchmarks, a one-off catch-up) what was just observed is rolled up in the same run.
        if (options.Value.RollupSettle <= TimeSpan.Zero) done += await RollUpSettledAsync(source, mySql, ct);
        return done;
    }

    /// <summary>Rolls up (LastId, PendingMaxId] if it has settled, in transactions of at most RollupIdsPerTransaction ids.</summary>
    private async Task<long> RollUpSettledAsync(string source, bool mySql, CancellationToken ct)
    {
        var mark = await Watermark(source, ct);
        if (mark.PendingSince is not { } since || mark.PendingMaxId <= mark.LastId) return 0;
        if (clock.GetUtcNow().UtcDateTime - since < options.Value.RollupSettle) return 0;
        var statements = source == AttemptsSource
            ? new[] { RollupSql.Attempts(mySql, RollupSql.Bucket.Hour), RollupSql.Attempts(mySql, RollupSql.Bucket.Day), RollupSql.CampaignDomainAttempts(mySql) }
            : [RollupSql.Events(mySql, RollupSql.Bucket.Hour), RollupSql.Events(mySql, RollupSql.Bucket.Day), RollupSql.CampaignDomainBounces(mySql)];
        var from = mark.LastId;
        var stopwatch = Stopwatch.StartNew();
        while (from < mark.PendingMaxId)
        {
            ct.ThrowIfCancellationRequested();
            var to = Math.Min(mark.PendingMaxId, from + options.Value.RollupIdsPerTransaction);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // The watermark first: it takes the row lock, and a run that lost the race finds LastId moved and stops.
            var moved = await db.Database.ExecuteSqlRawAsync(
                "UPDATE RollupWatermarks SET LastId = {0} WHERE Source = {1} AND LastId = {2}", [to, source, from], ct);
            if (moved != 1)
            {
                await tx.RollbackAsync(ct);
                log.LogWarning("Rollup of {Source}: the watermark moved under this run (another instance?); stopped at {Id}", source, from);
                break;
            }
            foreach (var sql in statements) await db.Database.ExecuteSqlRawAsync(sql, [from, to], ct);
            await tx.CommitAsync(ct);
            from = to;
        }
        if (from > mark.LastId)
            log.LogInformation("Rollup of {Source}: ids {From} to {To} in {Ms} ms", source, mark.LastId + 1, from, stopwatch.ElapsedMilliseconds);
        return from - mark.LastId;
    }

    /// <summary>Notes the highest visible id of the source (once the previous one is rolled up), to roll up after the settle time.</summary>
    private async Task ObserveAsync(string source, CancellationToken ct)
    {
        var mark = await Watermark(source, ct);
        if (mark.PendingMaxId > mark.LastId) return; // still settling
        long? max = source == AttemptsSource
            ? await db.MessageAttempts.IgnoreQueryFilters().MaxAsync(a => (long?)a.Id, ct)
            : await db.MessageEvents.IgnoreQueryFilters().MaxAsync(e => (long?)e.Id, ct);
        if (max is not { } newest || newest <= mark.LastId) return;
        await db.Database.ExecuteSqlRawAsync(
            "UPDATE RollupWatermarks SET PendingMaxId = {0}, PendingSince = {1} WHERE Source = {2} AND LastId = {3} AND PendingMaxId = {4}",
            [newest, clock.GetUtcNow().UtcDateTime, source, mark.LastId, mark.PendingMaxId], ct);
    }

    private Task<RollupWatermark> Watermark(string source, CancellationToken ct) =>
        db.RollupWatermarks.AsNoTracking().SingleAsync(w => w.Source == source, ct);
}
