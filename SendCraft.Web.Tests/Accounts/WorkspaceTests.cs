using System.Net;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Accounts;

public abstract class WorkspaceTests(DatabaseKind kind)
{
    private static Dictionary<string, string> NewAccount(string name = "Ivy Invitee") => new()
    {
        ["Input.DisplayName"] = name, ["Input.Password"] = "invitee pass 12", ["Input.ConfirmPassword"] = "invitee pass 12",
    };

    private static async Task<string> CreateInvitationAsync(WebSession admin, string email, string role = "Member")
    {
        var page = await admin.GetPageAsync("/Settings/Members");
        var response = await admin.HtmxPostAsync(page, "/Settings/Members?handler=Invite", new() { ["email"] = email, ["role"] = role });
        var panel = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        var link = panel.QuerySelector("#invitation-link")?.GetAttribute("value");
        Assert.True(link is not null, "No invitation link: " + panel.Body?.TextContent);
        return new Uri(link).PathAndQuery;
    }

    [Fact]
    public async Task Invitation_LetsANewPersonSetAPasswordAndJoin_Once()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var link = await CreateInvitationAsync(owner, "ivy@example.test", "Admin");
        Assert.Matches("^/invite/[A-Za-z0-9_-]{43}$", link);

        var invitee = app.NewSession();
        var accepted = await invitee.SubmitFormAsync(link, NewAccount());
        Assert.True(accepted.Headers.Location?.OriginalString == "/", await accepted.Content.ReadAsStringAsync());
        var dashboard = await invitee.GetPageAsync("/");
        Assert.Contains("Acme", dashboard.QuerySelector("#workspace-switcher")!.TextContent);
        Assert.Contains("Admin", dashboard.QuerySelector("#workspace-switcher")!.TextContent);

        // The token is stored only as a hash.
        var token = link.Split('/').Last();
        Assert.False(await app.QueryAsync(db => db.Invitations.IgnoreQueryFilters().AnyAsync(i => i.TokenHash == token)));

        var second = await app.NewSession().GetPageAsync(link);
        Assert.Contains("already been used", second.QuerySelector("#invitation-problem")!.TextContent);
        var replay = await app.NewSession().PostWithTokenAsync(link, NewAccount("Eve"));
        Assert.DoesNotContain("Location", replay.Headers.Select(h => h.Key));
        Assert.Equal(2, await app.QueryAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Invitation_ExpiresAfterSevenDays()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var link = await CreateInvitationAsync(owner, "late@example.test");
        app.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));

        var page = await app.NewSession().GetPageAsync(link);
        Assert.Contains("expired", page.QuerySelector("#invitation-problem")!.TextContent);
        Assert.Null(page.QuerySelector("form[method=post]"));
        var post = await app.NewSession().PostWithTokenAsync(link, NewAccount());
        Assert.Null(post.Headers.Location);
        Assert.Equal(1, await app.QueryAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Invitation_ForAnExistingAccount_JoinsAfterSignIn()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var other = await app.AddMemberAsync(await CreateWorkspaceAsync(owner, "Beta"), "bob@example.test", WorkspaceRole.Owner);
        await owner.SubmitFormAsync("/", new() { ["workspaceId"] = (await app.WorkspaceIdAsync("Acme")).ToString() }, "form[action='/Workspaces/Switch']");
        var link = await CreateInvitationAsync(owner, other.Email!);

        var bob = app.NewSession();
        var page = await bob.GetPageAsync(link);
        Assert.Contains("Sign in to accept", page.Body!.TextContent);
        await bob.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "bob@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword });
        var joined = await bob.SubmitFormAsync(link, [], "form[action*='handler=Join']");
        Assert.Equal("/", joined.Headers.Location?.OriginalString);
        var dashboard = await bob.GetPageAsync("/");
        var workspaces = dashboard.QuerySelectorAll("form[action='/Workspaces/Switch'] button").Select(b => b.TextContent).ToList();
        Assert.Equal(2, workspaces.Count);
    }

    [Fact]
    public async Task Admin_CannotInviteAnOwner()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        await app.SetUpOwnerAsync(workspace: "Acme");
        await app.AddMemberAsync(await app.WorkspaceIdAsync("Acme"), "admin@example.test", WorkspaceRole.Admin);
        var admin = await SignInAsync(app, "admin@example.test");
        var page = await admin.GetPageAsync("/Settings/Members");
        Assert.DoesNotContain(page.QuerySelectorAll("#invite-role option"), o => o.TextContent == "Owner");
        var response = await admin.HtmxPostAsync(page, "/Settings/Members?handler=Invite", new() { ["email"] = "x@example.test", ["role"] = "Owner" });
        Assert.Contains("above your own role", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RoleChange_ByHtmx_UpdatesTheRow()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var member = await app.AddMemberAsync(await app.WorkspaceIdAsync("Acme"), "mia@example.test", WorkspaceRole.Member);
        var memberId = await app.QueryAsync(db => db.WorkspaceMembers.IgnoreQueryFilters().Where(m => m.UserId == member.Id).Select(m => m.Id).SingleAsync());

        var page = await owner.GetPageAsync("/Settings/Members");
        var response = await owner.HtmxPostAsync(page, $"/Settings/Members?handler=Role&id={memberId}", new() { ["role"] = "Viewer" });
        var row = await WebSession.ParseAsync($"<table><tbody>{await response.Content.ReadAsStringAsync()}</tbody></table>");
        Assert.Equal("Viewer", row.QuerySelector($"#member-{memberId} select option[selected]")!.TextContent);
        Assert.Contains("Role changed to Viewer", response.Headers.GetValues("HX-Trigger").Single());

        var viewer = await SignInAsync(app, "mia@example.test");
        Assert.Equal(HttpStatusCode.Redirect, (await viewer.GetAsync("/Settings/Members")).StatusCode); // to Access denied
    }

    [Fact]
    public async Task LastOwner_CannotBeDemotedOrRemoved()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var ownerRow = await app.QueryAsync(db => db.WorkspaceMembers.IgnoreQueryFilters().Select(m => m.Id).SingleAsync());
        var page = await owner.GetPageAsync("/Settings/Members");

        var demote = await owner.HtmxPostAsync(page, $"/Settings/Members?handler=Role&id={ownerRow}", new() { ["role"] = "Admin" });
        Assert.Contains("at least one owner", demote.Headers.GetValues("HX-Trigger").Single());
        var remove = await owner.HtmxPostAsync(page, $"/Settings/Members?handler=Remove&id={ownerRow}");
        Assert.Contains("last owner cannot be removed", remove.Headers.GetValues("HX-Trigger").Single());
        Assert.Equal(WorkspaceRole.Owner, await app.QueryAsync(db => db.WorkspaceMembers.IgnoreQueryFilters().Select(m => m.Role).SingleAsync()));

        // With a second owner, the first may step down.
        var second = await app.AddMemberAsync(await app.WorkspaceIdAsync("Acme"), "otto@example.test", WorkspaceRole.Owner);
        var stepDown = await owner.HtmxPostAsync(page, $"/Settings/Members?handler=Role&id={ownerRow}", new() { ["role"] = "Admin" });
        Assert.Contains("Role changed to Admin", stepDown.Headers.GetValues("HX-Trigger").Single());
        Assert.NotNull(second);
    }

    [Fact]
    public async Task RemovingAMember_TakesAwayTheirAccess()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var user = await app.AddMemberAsync(await app.WorkspaceIdAsync("Acme"), "gone@example.test", WorkspaceRole.Admin);
        var memberId = await app.QueryAsync(db => db.WorkspaceMembers.IgnoreQueryFilters().Where(m => m.UserId == user.Id).Select(m => m.Id).SingleAsync());
        var gone = await SignInAsync(app, "gone@example.test");
        await gone.GetPageAsync("/Settings/Members");

        var page = await owner.GetPageAsync("/Settings/Members");
        var response = await owner.HtmxPostAsync(page, $"/Settings/Members?handler=Remove&id={memberId}");
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await gone.GetAsync("/Settings/Members")).StatusCode);
    }

    [Fact]
    public async Task RowsOfAnotherWorkspace_Answer404()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var ownerA = await app.SetUpOwnerAsync("a@example.test", "Alpha");
        var bWorkspace = await CreateWorkspaceAsync(ownerA, "Bravo-only-owner-b");
        // A separate user owns workspace B; owner A is then removed from it.
        var ownerB = await app.AddMemberAsync(bWorkspace, "b@example.test", WorkspaceRole.Owner);
        var aUserId = await app.QueryAsync(db => db.Users.Where(u => u.Email == "a@example.test").Select(u => u.Id).SingleAsync());
        await app.QueryAsync(db => db.WorkspaceMembers.IgnoreQueryFilters().Where(m => m.WorkspaceId == bWorkspace && m.UserId == aUserId).ExecuteDeleteAsync());
        var bMemberId = await app.QueryAsync(db => db.WorkspaceMembers.IgnoreQueryFilters().Where(m => m.UserId == ownerB.Id).Select(m => m.Id).SingleAsync());
        var aSession = await SignInAsync(app, "a@example.test");

        var page = await aSession.GetPageAsync("/Settings/Members");
        Assert.Equal(HttpStatusCode.NotFound, (await aSession.HtmxPostAsync(page, $"/Settings/Members?handler=Role&id={bMemberId}", new() { ["role"] = "Viewer" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await aSession.HtmxPostAsync(page, $"/Settings/Members?handler=Remove&id={bMemberId}")).StatusCode);
        // Nor can A switch into B.
        var switchResponse = await aSession.SubmitFormAsync(page, "/", new() { ["workspaceId"] = bWorkspace.ToString() }, "form[action='/Workspaces/Switch']");
        Assert.Equal(HttpStatusCode.NotFound, switchResponse.StatusCode);
        Assert.Equal(WorkspaceRole.Owner, await app.QueryAsync(db => db.WorkspaceMembers.IgnoreQueryFilters().Where(m => m.Id == bMemberId).Select(m => m.Role).SingleAsync()));
    }

    [Fact]
    public async Task SwitchingWorkspace_ChangesWhatTheUserSees()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Alpha");
        var beta = await CreateWorkspaceAsync(owner, "Beta");
        await app.AddMemberAsync(beta, "only-in-beta@example.test", WorkspaceRole.Viewer);

        var inBeta = await owner.GetPageAsync("/Settings/Members");
        Assert.Contains("only-in-beta@example.test", inBeta.QuerySelector("#member-rows")!.TextContent);

        var alpha = await app.WorkspaceIdAsync("Alpha");
        var switched = await owner.SubmitFormAsync(inBeta, "/", new() { ["workspaceId"] = alpha.ToString() }, "form[action='/Workspaces/Switch']");
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        var inAlpha = await owner.GetPageAsync("/Settings/Members");
        Assert.DoesNotContain("only-in-beta@example.test", inAlpha.QuerySelector("#member-rows")!.TextContent);
        Assert.Contains("Alpha", inAlpha.QuerySelector("#workspace-switcher")!.TextContent);
    }

    /// <summary>Creates a workspace through the page; the creator becomes owner and it becomes the active one.</summary>
    private static async Task<long> CreateWorkspaceAsync(WebSession session, string name)
    {
        var response = await session.SubmitFormAsync("/Workspaces/New", new() { ["Name"] = name });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("SendCraft.Workspace="));
        return long.Parse(cookie.Split(';')[0].Split('=')[1]);
    }

    private static async Task<WebSession> SignInAsync(SendCraftApp app, string email)
    {
        var session = app.NewSession();
        var response = await session.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = SendCraftApp.OwnerPassword });
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return session;
    }
}

public sealed class WorkspaceTests_Sqlite() : WorkspaceTests(DatabaseKind.Sqlite);
public sealed class WorkspaceTests_MariaDb() : WorkspaceTests(DatabaseKind.MariaDb);
