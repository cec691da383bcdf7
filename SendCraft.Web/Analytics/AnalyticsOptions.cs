using System.ComponentModel.DataAnnotations;

namespace SendCraft.Web.Analytics;

/// <summary>Settings of the rollup job (section "Analytics"); see docs/dashboard.md.</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";

    /// <summary>How often the rollup job runs (the dashboard lags by about this plus <see cref="RollupSettle"/>).</summary>
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long an id seen as the newest of its table waits before it is rolled up, so a transaction that took a lower id
    /// and commits a little later is still counted. Writers of attempts and events commit within milliseconds; a row
    /// committed more than this after a higher id was seen is not counted (docs/dashboard.md, "late commits").
    /// </summary>
    public TimeSpan RollupSettle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Ids of one source rolled up per transaction, so a backlog (a first run over years of data) commits as it goes.</summary>
    [Range(1_000, 10_000_000)] public int RollupIdsPerTransaction { get; set; } = 200_000;
}

/// <summary>Settings of the retention job (section "Retention").</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Message bodies, attachments and sent headers are removed this many days after the content was made.</summary>
    [Range(1, 36_500)] public int MessageBodyDays { get; set; } = 30;

    /// <summary>Contents purged per transaction.</summary>
    [Range(1, 100_000)] public int BatchSize { get; set; } = 500;

    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);
}
