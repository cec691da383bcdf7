using Microsoft.EntityFrameworkCore;
using Quartz;
using SendCraft.Web.Data;

namespace SendCraft.Web.Scheduling;

/// <summary>
/// Recurring housekeeping, run by Quartz on one instance of the cluster at a time: notifications that were read long
/// ago, or never read and very old, are deleted (the bell and the page only ever show recent ones).
/// </summary>
[DisallowConcurrentExecution]
public sealed class MaintenanceJob(SendCraftDbContext db, TimeProvider clock, ILogger<MaintenanceJob> log) : IJob
{
    public static readonly JobKey Key = new("maintenance", "system");
    public static readonly TimeSpan KeepRead = TimeSpan.FromDays(30);
    public static readonly TimeSpan KeepUnread = TimeSpan.FromDays(180);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) => await RunAsync(cancellationToken);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (readBefore, createdBefore) = (now - KeepRead, now - KeepUnread);
        var deleted = await db.Notifications.IgnoreQueryFilters()
            .Where(n => (n.ReadAt != null && n.ReadAt < readBefore) || n.CreatedAt < createdBefore)
            .ExecuteDeleteAsync(ct);
        if (deleted > 0) log.LogInformation("Maintenance: deleted {Count} old notifications", deleted);
        return deleted;
    }
}
