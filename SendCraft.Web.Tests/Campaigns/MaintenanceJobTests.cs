using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Data;
using SendCraft.Web.Scheduling;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Campaigns;

public sealed class MaintenanceJobTests
{
    [Fact]
    public async Task Maintenance_DeletesLongReadAndVeryOldNotifications_KeepsRecentOnes()
    {
        await using var app = await SendCraftApp.StartAsync(DatabaseKind.Sqlite);
        await app.SetUpOwnerAsync();
        var ws = await app.WorkspaceIdAsync("Acme");
        var now = DateTime.UtcNow;
        await app.QueryAsync(async db =>
        {
            var user = await db.Users.Select(u => u.Id).SingleAsync();
            db.Notifications.AddRange(
                new Notification { WorkspaceId = ws, UserId = user, Kind = "k", Title = "read long ago", CreatedAt = now.AddDays(-40), ReadAt = now.AddDays(-31) },
                new Notification { WorkspaceId = ws, UserId = user, Kind = "k", Title = "read lately", CreatedAt = now.AddDays(-40), ReadAt = now.AddDays(-2) },
                new Notification { WorkspaceId = ws, UserId = user, Kind = "k", Title = "unread, ancient", CreatedAt = now.AddDays(-181) },
                new Notification { WorkspaceId = ws, UserId = user, Kind = "k", Title = "unread, recent", CreatedAt = now.AddDays(-10) });
            return await db.SaveChangesAsync();
        });

        await using (var scope = app.Services.CreateAsyncScope())
            Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<MaintenanceJob>().RunAsync(CancellationToken.None));

        var left = await app.QueryAsync(db => db.Notifications.IgnoreQueryFilters().Select(n => n.Title).OrderBy(t => t).ToListAsync());
        Assert.Equal(["read lately", "unread, recent"], left);
    }
}
