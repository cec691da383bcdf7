using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Analytics;

/// <summary>Sums of rollup counters over a range (definitions: docs/dashboard.md, "Metrics").</summary>
public sealed record StatsTotals(
    long Sent, long Deferred, long Failed, long Bounced, long SoftBounced, long Complaints,
    long Opens, long UniqueOpens, long MachineOpens, long Clicks, long UniqueClicks, long MachineClicks, long Unsubscribes, long Replies)
{
    public static readonly StatsTotals Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Accepted by the receiving server and not bounced back later.</summary>
    public long Delivered => Math.Max(0, Sent - Bounced);
    public bool IsEmpty => this == Zero;

    public static double? Rate(long part, long whole) => whole <= 0 ? null : (double)part / whole;

    public StatsTotals Add(StatsTotals o) => new(Sent + o.Sent, Deferred + o.Deferred, Failed + o.Failed, Bounced + o.Bounced, SoftBounced + o.SoftBounced,
        Complaints + o.Complaints, Opens + o.Opens, UniqueOpens + o.UniqueOpens, MachineOpens + o.MachineOpens, Clicks + o.Clicks,
        UniqueClicks + o.UniqueClicks, MachineClicks + o.MachineClicks, Unsubscribes + o.Unsubscribes, Replies + o.Replies);
}

/// <summary>A time range of whole buckets, [From, To) in UTC, read from the hourly table or the daily one.</summary>
public sealed record StatsRange(DateTime From, DateTime To, bool Hourly)
{
    /// <summary>Ranges up to this long are drawn in hours, longer ones in days.</summary>
    public static readonly TimeSpan MaxHourly = TimeSpan.FromDays(3);

    public TimeSpan Step => Hourly ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);

    public IEnumerable<DateTime> Buckets()
    {
        for (var b = From; b < To; b += Step) yield return b;
    }

    /// <summary>The last <paramref name="length"/> up to now, in whole buckets (the current hour or day included).</summary>
    public static StatsRange Last(TimeSpan length, DateTime nowUtc)
    {
        var hourly = length <= MaxHourly;
        var end = hourly ? new DateTime(nowUtc.Year, nowUtc.Month, nowUtc.Day, nowUtc.Hour, 0, 0, DateTimeKind.Utc).AddHours(1) : nowUtc.Date.AddDays(1);
        return new StatsRange(end - length, end, hourly);
    }

    /// <summary>
    /// From <paramref name="firstUtc"/> to now in whole buckets: hours while that is at most <see cref="MaxHourly"/>, days
    /// after (a campaign's report: from its start until today, opens keep coming for days), at most <paramref name="maxDays"/>.
    /// </summary>
    public static StatsRange Since(DateTime firstUtc, DateTime nowUtc, int maxDays = 400)
    {
        var hourStart = new DateTime(firstUtc.Year, firstUtc.Month, firstUtc.Day, firstUtc.Hour, 0, 0, DateTimeKind.Utc);
        var hourEnd = new DateTime(nowUtc.Year, nowUtc.Month, nowUtc.Day, nowUtc.Hour, 0, 0, DateTimeKind.Utc).AddHours(1);
        if (hourEnd - hourStart <= MaxHourly) return new StatsRange(hourStart, hourEnd, true);
        var to = nowUtc.Date.AddDays(1);
        var from = firstUtc.Date < to.AddDays(-maxDays) ? to.AddDays(-maxDays) : firstUtc.Date;
        return new StatsRange(DateTime.SpecifyKind(from, DateTimeKind.Utc), DateTime.SpecifyKind(to, DateTimeKind.Utc), false);
    }

    /// <summary>Whole UTC days from <paramref name="first"/> to <paramref name="last"/> included.</summary>
    public static StatsRange Days(DateOnly first, DateOnly last)
    {
        var from = first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var to = last.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        return new StatsRange(from, to, to - from <= MaxHourly);
    }
}

public sealed record StatsPoint(DateTime Bucket, StatsTotals Totals);
public sealed record StatsByKey(long Key, StatsTotals Totals);

/// <summary>
/// Every query the dashboard (and the campaign report's chart over time) runs: all of them read the rollup tables only,
/// within the current workspace (the tables are tenant-owned, so the global filter applies), by the primary key's
/// (workspace, bucket) prefix. The benchmark (bench/run dashboard) times these same methods.
/// </summary>
public sealed class DashboardQueries(SendCraftDbContext db)
{
    /// <summary>The range's counters per SMTP account (the per-account view; the totals and per-domain view are sums of it).</summary>
    public Task<List<StatsByKey>> ByAccountAsync(StatsRange range, IReadOnlyCollection<long>? accounts, CancellationToken ct = default) =>
        range.Hourly ? ByAccount(db.MessageStatsHourly, range, accounts, ct) : ByAccount(db.MessageStatsDaily, range, accounts, ct);

    /// <summary>The range's counters per bucket, for the chart (buckets without mail are absent).</summary>
    public Task<List<StatsPoint>> SeriesAsync(StatsRange range, IReadOnlyCollection<long>? accounts, CancellationToken ct = default) =>
        range.Hourly ? Series(db.MessageStatsHourly, range, accounts, null, ct) : Series(db.MessageStatsDaily, range, accounts, null, ct);

    /// <summary>The campaigns that sent the most in the range.</summary>
    public Task<List<StatsByKey>> TopCampaignsAsync(StatsRange range, IReadOnlyCollection<long>? accounts, int count, CancellationToken ct = default) =>
        range.Hourly ? TopCampaigns(db.MessageStatsHourly, range, accounts, count, ct) : TopCampaigns(db.MessageStatsDaily, range, accounts, count, ct);

    /// <summary>One campaign over time (its report's chart), from its index (workspace, campaign, bucket).</summary>
    public Task<List<StatsPoint>> CampaignSeriesAsync(long campaignId, StatsRange range, CancellationToken ct = default) =>
        range.Hourly ? Series(db.MessageStatsHourly, range, null, campaignId, ct) : Series(db.MessageStatsDaily, range, null, campaignId, ct);

    private static IQueryable<T> InRange<T>(IQueryable<T> source, StatsRange range, IReadOnlyCollection<long>? accounts) where T : MessageStatsCounts
    {
        var q = source.AsNoTracking().Where(s => s.BucketStart >= range.From && s.BucketStart < range.To);
        return accounts is null ? q : q.Where(s => accounts.Contains(s.SmtpAccountId));
    }

    private static Task<List<StatsByKey>> ByAccount<T>(IQueryable<T> source, StatsRange range, IReadOnlyCollection<long>? accounts, CancellationToken ct)
        where T : MessageStatsCounts =>
        InRange(source, range, accounts).GroupBy(s => s.SmtpAccountId)
            .Select(g => new StatsByKey(g.Key, new StatsTotals(g.Sum(s => s.Sent), g.Sum(s => s.Deferred), g.Sum(s => s.Failed), g.Sum(s => s.Bounced),
                g.Sum(s => s.SoftBounced), g.Sum(s => s.Complaints), g.Sum(s => s.Opens), g.Sum(s => s.UniqueOpens), g.Sum(s => s.MachineOpens),
                g.Sum(s => s.Clicks), g.Sum(s => s.UniqueClicks), g.Sum(s => s.MachineClicks), g.Sum(s => s.Unsubscribes), g.Sum(s => s.Replies))))
            .ToListAsync(ct);

    private static Task<List<StatsByKey>> TopCampaigns<T>(IQueryable<T> source, StatsRange range, IReadOnlyCollection<long>? accounts, int count, CancellationToken ct)
        where T : MessageStatsCounts =>
        InRange(source, range, accounts).Where(s => s.CampaignId != 0).GroupBy(s => s.CampaignId)
            .Select(g => new
            {
                g.Key, Sent = g.Sum(s => s.Sent), Deferred = g.Sum(s => s.Deferred), Failed = g.Sum(s => s.Failed), Bounced = g.Sum(s => s.Bounced),
                SoftBounced = g.Sum(s => s.SoftBounced), Complaints = g.Sum(s => s.Complaints), Opens = g.Sum(s => s.Opens), UniqueOpens = g.Sum(s => s.UniqueOpens),
                MachineOpens = g.Sum(s => s.MachineOpens), Clicks = g.Sum(s => s.Clicks), UniqueClicks = g.Sum(s => s.UniqueClicks),
                MachineClicks = g.Sum(s => s.MachineClicks), Unsubscribes = g.Sum(s => s.Unsubscribes), Replies = g.Sum(s => s.Replies),
            })
            .OrderByDescending(x => x.Sent).ThenBy(x => x.Key).Take(count)
            .Select(x => new StatsByKey(x.Key, new StatsTotals(x.Sent, x.Deferred, x.Failed, x.Bounced, x.SoftBounced, x.Complaints, x.Opens, x.UniqueOpens,
                x.MachineOpens, x.Clicks, x.UniqueClicks, x.MachineClicks, x.Unsubscribes, x.Replies)))
            .ToListAsync(ct);

    private static Task<List<StatsPoint>> Series<T>(IQueryable<T> source, StatsRange range, IReadOnlyCollection<long>? accounts, long? campaignId, CancellationToken ct)
        where T : MessageStatsCounts
    {
        var q = InRange(source, range, accounts);
        if (campaignId is { } campaign) q = q.Where(s => s.CampaignId == campaign);
        return q.GroupBy(s => s.BucketStart)
            .Select(g => new StatsPoint(g.Key, new StatsTotals(g.Sum(s => s.Sent), g.Sum(s => s.Deferred), g.Sum(s => s.Failed), g.Sum(s => s.Bounced),
                g.Sum(s => s.SoftBounced), g.Sum(s => s.Complaints), g.Sum(s => s.Opens), g.Sum(s => s.UniqueOpens), g.Sum(s => s.MachineOpens),
                g.Sum(s => s.Clicks), g.Sum(s => s.UniqueClicks), g.Sum(s => s.MachineClicks), g.Sum(s => s.Unsubscribes), g.Sum(s => s.Replies))))
            .ToListAsync(ct);
    }
}
