using System.Net;
using System.Text;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Data;
using SendCraft.Web.Realtime;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Realtime;

/// <summary>
/// The bell in the layout, the notifications page, and marking read: a user reads and marks only their own rows.
/// The import worker notifies the workspace when an import ends.
/// </summary>
public abstract class NotificationPageTests(DatabaseKind kind) : IAsyncLifetime
{
    private SendCraftApp _app = null!;
    private WebSession _owner = null!;
    private long _acme;

    public async Task InitializeAsync()
    {
        _app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Sending:WorkersEnabled"] = "false",
            ["Contacts:Import:PollInterval"] = "00:00:00.200",
        });
        _owner = await _app.SetUpOwnerAsync();
        _acme = await _app.WorkspaceIdAsync("Acme");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task NotifyAsync(string title, string? link = null) =>
        _app.Services.GetRequiredService<INotifier>().NotifyWorkspaceAsync(_acme, NotificationKinds.CampaignFinished, title, "Body of " + title, link);

    private Task<List<Notification>> RowsAsync(string email) => _app.QueryAsync(db =>
        db.Notifications.IgnoreQueryFilters().AsNoTracking()
            .Where(n => n.UserId == db.Users.Where(u => u.Email == email).Select(u => u.Id).Single()).OrderBy(n => n.Id).ToListAsync());

    [Fact]
    public async Task Bell_OnEveryPage_ShowsTheUnreadCountAndLatest_AndLinksToTheList()
    {
        var empty = await _owner.GetPageAsync("/");
        Assert.NotNull(empty.QuerySelector("#notification-bell"));
        Assert.Null(empty.QuerySelector("#notification-bell .notification-count"));
        Assert.Contains("No notifications yet", empty.QuerySelector("#notification-bell")!.TextContent);
        Assert.Equal(empty.QuerySelector("body")!.GetAttribute("data-workspace-id"), _acme.ToString());
        Assert.NotNull(empty.QuerySelector("script[src^='/lib/signalr/signalr.min.js']"));
        Assert.NotNull(empty.QuerySelector("script[src^='/js/realtime.js']"));

        await NotifyAsync("Spring sale sent", "/campaigns/3");
        await NotifyAsync("Summer sale sent");
        var page = await _owner.GetPageAsync("/contacts");
        Assert.Equal("2", page.Text("#notification-bell .notification-count"));
        var items = page.QuerySelectorAll("#notification-bell .notification-item");
        Assert.Equal(["Summer sale sent", "Spring sale sent"], items.Select(i => i.QuerySelector(".notification-title")!.TextContent.Trim()));
        Assert.Equal("/campaigns/3", items[1].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("/notifications", items[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.NotNull(page.QuerySelector("#notification-bell a[href='/notifications']"));

        // The bell's own handler renders the same thing (htmx reloads it after mark read).
        var bell = await WebSession.ParseAsync(await (await _owner.GetAsync("/notifications?handler=Bell")).Content.ReadAsStringAsync());
        Assert.Equal("2", bell.Text("#notification-bell .notification-count"));
    }

    [Fact]
    public async Task MarkRead_TouchesOnlyTheCurrentUsersRows()
    {
        await _app.AddMemberAsync(_acme, "vera@example.test", WorkspaceRole.Viewer);
        var vera = _app.NewSession();
        Assert.Equal("/", (await vera.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "vera@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword })).Headers.Location?.OriginalString);
        await NotifyAsync("First");
        await NotifyAsync("Second");
        var ownerRows = await RowsAsync("owner@example.test");
        var veraRows = await RowsAsync("vera@example.test");
        Assert.Equal(2, veraRows.Count);

        // Vera (a viewer) marks the owner's notification: not hers, so not found, and it stays unread.
        var page = await vera.GetPageAsync("/notifications");
        Assert.Equal(2, page.QuerySelectorAll(".notification-row.is-unread").Length);
        var foreign = await vera.HtmxPostAsync(page, $"/notifications?handler=Read&id={ownerRows[0].Id}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.All(await RowsAsync("owner@example.test"), n => Assert.Null(n.ReadAt));

        // Her own: read, and htmx hears "notifications-changed" (the bell and the list reload on it).
        var own = await vera.HtmxPostAsync(page, $"/notifications?handler=Read&id={veraRows[0].Id}");
        Assert.Equal(HttpStatusCode.NoContent, own.StatusCode);
        Assert.Equal("notifications-changed", own.Headers.GetValues("HX-Trigger").Single());
        Assert.NotNull((await RowsAsync("vera@example.test"))[0].ReadAt);
        Assert.All(await RowsAsync("owner@example.test"), n => Assert.Null(n.ReadAt));

        // Mark all read: all of hers, none of the owner's.
        var all = await vera.HtmxPostAsync(page, "/notifications?handler=ReadAll");
        Assert.Equal(HttpStatusCode.NoContent, all.StatusCode);
        Assert.All(await RowsAsync("vera@example.test"), n => Assert.NotNull(n.ReadAt));
        Assert.All(await RowsAsync("owner@example.test"), n => Assert.Null(n.ReadAt));

        var after = await vera.GetPageAsync("/notifications");
        Assert.Empty(after.QuerySelectorAll(".notification-row.is-unread"));
        Assert.Equal(2, after.QuerySelectorAll(".notification-row.is-read").Length);
        Assert.Null(after.QuerySelector("#notification-bell .notification-count"));
        var ownerPage = await _owner.GetPageAsync("/notifications");
        Assert.Equal("2", ownerPage.Text("#notification-bell .notification-count"));
        Assert.Equal(2, ownerPage.QuerySelectorAll(".notification-row.is-unread").Length);
    }

    [Fact]
    public async Task MarkAllRead_WithoutJavaScript_RedirectsBackToTheList()
    {
        await NotifyAsync("First");
        var response = await _owner.SubmitFormAsync("/notifications", [], "form[action='/notifications?handler=ReadAll']");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/notifications", response.Headers.Location?.OriginalString);
        Assert.All(await RowsAsync("owner@example.test"), n => Assert.NotNull(n.ReadAt));
    }

    [Fact]
    public async Task List_PagesNewestFirst_AndFiltersUnread()
    {
        for (var i = 1; i <= Pages.Notifications.IndexModel.PageSize + 5; i++) await NotifyAsync($"Note {i}");
        var first = await _owner.GetPageAsync("/notifications");
        var rows = first.QuerySelectorAll(".notification-row");
        Assert.Equal(Pages.Notifications.IndexModel.PageSize, rows.Length);
        Assert.StartsWith($"Note {Pages.Notifications.IndexModel.PageSize + 5}", rows[0].TextContent.Trim());
        var next = first.QuerySelector("#next-page")!.GetAttribute("href")!;
        var second = await _owner.GetPageAsync(next);
        Assert.Equal(["Note 5", "Note 4", "Note 3", "Note 2", "Note 1"],
            second.QuerySelectorAll(".notification-row .fw-semibold").Select(e => e.TextContent.Replace("new", "").Trim()));
        Assert.Null(second.QuerySelector("#next-page"));

        var ownerRows = await RowsAsync("owner@example.test");
        await _owner.HtmxPostAsync(first, $"/notifications?handler=Read&id={ownerRows[^1].Id}");
        var unread = await _owner.GetPageAsync("/notifications?unread=true&before=999999999");
        Assert.DoesNotContain(unread.QuerySelectorAll(".notification-row"), r => r.TextContent.Contains($"Note {Pages.Notifications.IndexModel.PageSize + 5}"));
    }

    [Fact]
    public async Task ImportFinishing_NotifiesEveryMember_LiveAndStored()
    {
        await _app.AddMemberAsync(_acme, "mo@example.test", WorkspaceRole.Member);
        var cookie = await RealtimeClients.SignInAsync(_app, "mo@example.test");
        await using var mo = RealtimeClients.Connect(_app, NotificationsHub.Path, cookie);
        var moSees = mo.Collect<NotificationMessage>(NotificationsHub.NotificationMethod);
        await mo.StartAsync();

        var list = await _app.AddListAsync(_acme, "Readers");
        var import = await _app.ImportCsvAsync(_owner, list.Id, Encoding.UTF8.GetBytes("email,name\nann@example.com,Ann\nbob@example.com,Bob\nnot-an-email,X\n"));
        Assert.Equal(ImportStatus.Completed, import.Status);

        var live = await moSees.NextAsync();
        Assert.Equal(NotificationKinds.ImportFinished, live.Kind);
        Assert.Equal("Import finished: 2 contacts, 1 errors", live.Title);
        Assert.Equal($"/imports/{import.Id}", live.Link);
        Assert.Equal(1, live.UnreadCount);
        foreach (var email in new[] { "owner@example.test", "mo@example.test" })
        {
            var row = Assert.Single(await RowsAsync(email));
            Assert.Equal(("Import finished: 2 contacts, 1 errors", $"/imports/{import.Id}"), (row.Title, row.Link));
            Assert.Contains("contacts.csv", row.Body);
        }
    }
}

public sealed class NotificationPageTests_Sqlite() : NotificationPageTests(DatabaseKind.Sqlite);
public sealed class NotificationPageTests_MariaDb() : NotificationPageTests(DatabaseKind.MariaDb);
