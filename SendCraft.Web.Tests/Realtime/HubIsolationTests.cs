using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Data;
using SendCraft.Web.Realtime;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Realtime;

/// <summary>
/// Two workspaces (Acme, Globex), one user in each, each with real SignalR clients over WebSockets against the in-process
/// app: each receives its own workspace's progress and notifications and never the other's; joining another workspace's
/// group is refused; a client without the sign-in cookie cannot connect.
/// </summary>
public abstract class HubIsolationTests(DatabaseKind kind) : IAsyncLifetime
{
    private SendCraftApp _app = null!;
    private long _acme, _globex;
    private string _olivia = "", _gus = "";

    public async Task InitializeAsync()
    {
        _app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?> { ["Sending:WorkersEnabled"] = "false" });
        await _app.SetUpOwnerAsync("olivia@acme.test", "Acme");
        _acme = await _app.WorkspaceIdAsync("Acme");
        _globex = await _app.AddWorkspaceAsync("Globex");
        await _app.AddMemberAsync(_globex, "gus@globex.test", WorkspaceRole.Owner);
        _olivia = await RealtimeClients.SignInAsync(_app, "olivia@acme.test");
        _gus = await RealtimeClients.SignInAsync(_app, "gus@globex.test");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task CampaignProgress_ReachesOnlyTheMembersOfItsWorkspace_AndJoiningAnotherWorkspaceIsRefused()
    {
        await using var olivia = RealtimeClients.Connect(_app, CampaignsHub.Path, _olivia);
        await using var gus = RealtimeClients.Connect(_app, CampaignsHub.Path, _gus);
        var oliviaSees = olivia.Collect<CampaignProgressMessage>(CampaignsHub.ProgressMethod);
        var gusSees = gus.Collect<CampaignProgressMessage>(CampaignsHub.ProgressMethod);
        await olivia.StartAsync();
        await gus.StartAsync();
        await olivia.InvokeAsync("JoinWorkspace", _acme);
        await gus.InvokeAsync("JoinWorkspace", _globex);

        // Olivia asks for Globex's group: refused by the membership check, and she stays out of it.
        var refused = await Assert.ThrowsAsync<HubException>(() => olivia.InvokeAsync("JoinWorkspace", _globex));
        Assert.Contains("not a member", refused.Message);

        var publisher = _app.Services.GetRequiredService<ICampaignProgressPublisher>();
        await publisher.PublishAsync(Progress(campaignId: 11, _acme, "Acme spring sale"));
        await publisher.PublishAsync(Progress(campaignId: 22, _globex, "Globex launch"));
        await publisher.PublishAsync(Progress(campaignId: 12, _acme, "Acme second"));

        // Each group's messages leave the server in publishing order, so a leak would arrive before the client's own next message.
        var first = await oliviaSees.NextAsync();
        Assert.Equal((11L, _acme), (first.CampaignId, first.WorkspaceId));
        Assert.Contains("id=\"campaign-progress-11\"", first.Html);
        Assert.Contains("Acme spring sale", first.Html);
        Assert.Equal(12L, (await oliviaSees.NextAsync()).CampaignId);
        var gusFirst = await gusSees.NextAsync();
        Assert.Equal((22L, _globex), (gusFirst.CampaignId, gusFirst.WorkspaceId));

        await publisher.PublishAsync(Progress(campaignId: 23, _globex, "Globex second"));
        Assert.Equal(23L, (await gusSees.NextAsync()).CampaignId);
        Assert.All(oliviaSees.All, m => Assert.Equal(_acme, m.WorkspaceId));
        Assert.All(gusSees.All, m => Assert.Equal(_globex, m.WorkspaceId));
    }

    [Fact]
    public async Task Notification_IsStoredForEveryMemberOfItsWorkspace_AndPushedOnlyToThem()
    {
        await _app.AddMemberAsync(_acme, "ann@acme.test", WorkspaceRole.Viewer);
        var annCookie = await RealtimeClients.SignInAsync(_app, "ann@acme.test");
        await using var olivia = RealtimeClients.Connect(_app, NotificationsHub.Path, _olivia);
        await using var annClient = RealtimeClients.Connect(_app, NotificationsHub.Path, annCookie);
        await using var gus = RealtimeClients.Connect(_app, NotificationsHub.Path, _gus);
        var oliviaSees = olivia.Collect<NotificationMessage>(NotificationsHub.NotificationMethod);
        var annSees = annClient.Collect<NotificationMessage>(NotificationsHub.NotificationMethod);
        var gusSees = gus.Collect<NotificationMessage>(NotificationsHub.NotificationMethod);
        await Task.WhenAll(olivia.StartAsync(), annClient.StartAsync(), gus.StartAsync());

        var notifier = _app.Services.GetRequiredService<INotifier>();
        await notifier.NotifyWorkspaceAsync(_globex, NotificationKinds.CampaignFinished, "Globex launch sent", "1,200 sent", "/campaigns/22");
        await notifier.NotifyWorkspaceAsync(_acme, NotificationKinds.CampaignStarted, "Acme spring sale started", null, "/campaigns/11");

        foreach (var inbox in new[] { oliviaSees, annSees })
        {
            var message = await inbox.NextAsync();
            Assert.Equal(_acme, message.WorkspaceId);
            Assert.Equal("Acme spring sale started", message.Title);
            Assert.Equal("/campaigns/11", message.Link);
            Assert.Equal(1, message.UnreadCount);
            Assert.Contains("id=\"notification-bell\"", message.BellHtml);
            Assert.Contains("Acme spring sale started", message.BellHtml);
            Assert.DoesNotContain("Globex", message.BellHtml);
        }
        var gusMessage = await gusSees.NextAsync();
        Assert.Equal(("Globex launch sent", _globex, "success"), (gusMessage.Title, gusMessage.WorkspaceId, gusMessage.Level));

        // Stored: one row per member of each workspace, nobody else's.
        var rows = await _app.QueryAsync(db => db.Notifications.IgnoreQueryFilters().AsNoTracking()
            .Join(db.Users, n => n.UserId, u => u.Id, (n, u) => new { u.Email, n.WorkspaceId, n.Title, n.ReadAt }).ToListAsync());
        Assert.Equal(
            ["ann@acme.test Acme spring sale started", "gus@globex.test Globex launch sent", "olivia@acme.test Acme spring sale started"],
            rows.Select(r => $"{r.Email} {r.Title}").Order());
        Assert.All(rows, r => Assert.Null(r.ReadAt));
        Assert.Single(oliviaSees.All);
        Assert.Single(gusSees.All);
    }

    [Fact]
    public async Task Notification_WithALinkOffThisSite_IsKeptWithoutTheLink()
    {
        var notifier = _app.Services.GetRequiredService<INotifier>();
        await notifier.NotifyWorkspaceAsync(_acme, NotificationKinds.ImportFinished, "Done", null, "//evil.example/phish");
        await notifier.NotifyWorkspaceAsync(_acme, NotificationKinds.ImportFinished, "Done too", null, "javascript:alert(1)");
        var links = await _app.QueryAsync(db => db.Notifications.IgnoreQueryFilters().Select(n => n.Link).ToListAsync());
        Assert.Equal([null, null], links);
    }

    [Fact]
    public async Task HubsWithoutTheSignInCookie_AreRefused()
    {
        foreach (var path in new[] { NotificationsHub.Path, CampaignsHub.Path })
        {
            await using var anonymous = RealtimeClients.Connect(_app, path, cookie: null);
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
    }

    internal static CampaignProgressView Progress(long campaignId, long workspaceId, string name) =>
        new(campaignId, workspaceId, name, "Sending", Total: 1000, Expanded: 1000, Queued: 600, Sending: 20, Sent: 350, Deferred: 5,
            Failed: 10, Bounced: 5, Suppressed: 7, Cancelled: 0, Skipped: 3, PerMinute: 240, Eta: TimeSpan.FromMinutes(3), UpdatedAt: DateTime.UtcNow);
}

public sealed class HubIsolationTests_Sqlite() : HubIsolationTests(DatabaseKind.Sqlite);
public sealed class HubIsolationTests_MariaDb() : HubIsolationTests(DatabaseKind.MariaDb);
