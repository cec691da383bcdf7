using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;
using SendCraft.Web.Scheduling;

namespace SendCraft.Web.Contacts.Import;

/// <summary>
/// The safety net behind Quartz's own recovery: an import that is queued or running, whose heartbeat is older than
/// ImportOptions.StaleAfter and which has no Quartz job (its trigger never reached the database, say) gets its job
/// scheduled again, and resumes from its checkpoint. A running import always has its job (Quartz keeps it while it
/// runs), so a slow batch is never run twice; each batch's commit is conditional on the checkpoint too. Runs on the
/// instances that run jobs; several may look at once (scheduling replaces the same job key).
/// </summary>
public sealed class ImportMonitor(
    IServiceScopeFactory scopes, IOptions<ImportOptions> options, IOptions<SchedulingOptions> scheduling, TimeProvider clock, ILogger<ImportMonitor> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!scheduling.Value.RunJobs) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken);
                await Task.Delay(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                // The database may be unreachable for a moment; look again after a pause.
                log.LogError(e, "Checking for imports without a job failed; retrying shortly");
                try { await Task.Delay(options.Value.PollInterval, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    public async Task CheckAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var staleBefore = clock.GetUtcNow().UtcDateTime - options.Value.StaleAfter;
        var stale = await db.ContactImports.IgnoreQueryFilters().AsNoTracking()
            .Where(i => (i.Status == ImportStatus.Queued || i.Status == ImportStatus.Running) && (i.HeartbeatAt == null || i.HeartbeatAt < staleBefore))
            .OrderBy(i => i.CreatedAt).Select(i => new { i.Id, i.Status })
            .ToListAsync(ct);
        var scheduler = scope.ServiceProvider.GetRequiredService<ImportScheduler>();
        foreach (var import in stale)
        {
            if (await scheduler.IsPlannedAsync(import.Id, ct)) continue;
            log.LogWarning("Import {ImportId} is {Status} but has no job; scheduling it again (it resumes from its checkpoint)", import.Id, import.Status);
            await scheduler.RunNowAsync(import.Id, ct);
        }
    }
}
