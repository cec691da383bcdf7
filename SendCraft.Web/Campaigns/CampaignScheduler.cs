using Quartz;

namespace SendCraft.Web.Campaigns;

/// <summary>
/// The Quartz side of campaigns: one durable job per campaign (its start, then its expansion), stored in the database.
/// A trigger whose time passed while every instance was down fires when the first one comes back (misfire: fire now).
/// The job asks for recovery, so a job cut off by a crash runs again (on another instance of the cluster, or at the
/// next start); it resumes from the campaign's cursor.
/// </summary>
public sealed class CampaignScheduler(ISchedulerFactory schedulers)
{
    public static JobKey JobFor(long campaignId) => new($"campaign-{campaignId}", "campaigns");
    private static TriggerKey TriggerFor(long campaignId) => new($"campaign-{campaignId}", "campaigns");

    public Task ScheduleAsync(long campaignId, DateTime utc, CancellationToken ct = default) => PlanAsync(campaignId, utc, ct);

    /// <summary>Runs the campaign's job now: a start, a resume, or a restart of an expansion.</summary>
    public Task RunNowAsync(long campaignId, CancellationToken ct = default) => PlanAsync(campaignId, null, ct);

    public async Task UnscheduleAsync(long campaignId, CancellationToken ct = default)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        await scheduler.UnscheduleJob(TriggerFor(campaignId), ct);
    }

    /// <summary>
    /// Whether the campaign's job is waiting or running on any instance: the job is not durable, so Quartz keeps it exactly
    /// while a trigger of it exists (waiting, firing, or a recovery trigger after a crash) and deletes it after its last run.
    /// </summary>
    public async Task<bool> IsPlannedAsync(long campaignId, CancellationToken ct = default)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        return await scheduler.Exists(JobFor(campaignId), ct);
    }

    private async Task PlanAsync(long campaignId, DateTime? at, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var job = JobBuilder.Create<CampaignJob>()
            .WithIdentity(JobFor(campaignId))
            .UsingJobData(CampaignJob.CampaignIdKey, campaignId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .RequestRecovery()
            .StoreDurably(false)
            .Build();
        var trigger = TriggerBuilder.Create().WithIdentity(TriggerFor(campaignId)).ForJob(job)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow));
        trigger = at is { } when ? trigger.StartAt(new DateTimeOffset(DateTime.SpecifyKind(when, DateTimeKind.Utc))) : trigger.StartNow();
        await scheduler.ScheduleJob(job, [trigger.Build()], new ScheduleJobOptions { Replace = true }, ct);
    }
}

/// <summary>Starts (if scheduled) and expands one campaign. One run per campaign at a time, across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class CampaignJob(CampaignRunner runner) : IJob
{
    public const string CampaignIdKey = "campaignId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var id = long.Parse(context.MergedJobDataMap.GetString(CampaignIdKey)!, System.Globalization.CultureInfo.InvariantCulture);
        await runner.RunAsync(id, cancellationToken);
    }
}
