using Quartz;

namespace SendCraft.Web.Contacts.Import;

/// <summary>
/// The Quartz side of imports: one job per import, stored in the database, scheduled when the operator starts the
/// import. The job requests recovery, so a run cut off by a crash runs again (on another instance of the MySQL cluster,
/// or at the next start on SQLite), and a run stopped by a graceful shutdown is handed back to run again the same way;
/// each run resumes from the import's checkpoint.
/// </summary>
public sealed class ImportScheduler(ISchedulerFactory schedulers)
{
    public static JobKey JobFor(long importId) => new($"import-{importId}", "imports");
    private static TriggerKey TriggerFor(long importId) => new($"import-{importId}", "imports");

    /// <summary>Runs the import's job now (a start, or a resume after its job was lost).</summary>
    public async Task RunNowAsync(long importId, CancellationToken ct = default)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var job = JobBuilder.Create<ImportJob>()
            .WithIdentity(JobFor(importId))
            .UsingJobData(ImportJob.ImportIdKey, importId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .RequestRecovery()
            .StoreDurably(false)
            .Build();
        var trigger = TriggerBuilder.Create().WithIdentity(TriggerFor(importId)).ForJob(job).StartNow()
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, ct);
    }

    /// <summary>
    /// Whether the import's job is waiting or running on any instance: the job is not durable, so Quartz keeps it exactly
    /// while a trigger of it exists (waiting, firing, or a recovery trigger) and deletes it after its last run.
    /// </summary>
    public async Task<bool> IsPlannedAsync(long importId, CancellationToken ct = default)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        return await scheduler.Exists(JobFor(importId), ct);
    }
}

/// <summary>Runs (or resumes) one import. One run per import at a time, across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class ImportJob(ContactImportWorker worker) : IJob
{
    public const string ImportIdKey = "importId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var id = long.Parse(context.MergedJobDataMap.GetString(ImportIdKey)!, System.Globalization.CultureInfo.InvariantCulture);
        await worker.RunAsync(id, cancellationToken);
    }
}
