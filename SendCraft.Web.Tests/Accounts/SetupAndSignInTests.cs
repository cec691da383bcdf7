using System.Net;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Accounts;

public abstract class SetupAndSignInTests(DatabaseKind kind)
{
    [Fact]
    public async Task FirstVisit_RedirectsToSetup()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var response = await app.NewSession().GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Setup", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Setup_CreatesOwnerAndWorkspace_ThenIsGoneForGetAndDirectPost()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");

        var dashboard = await owner.GetPageAsync("/");
        Assert.Contains("Acme", dashboard.QuerySelector("#workspace-switcher")!.TextContent);
        Assert.Contains("Owner", dashboard.QuerySelector("#workspace-switcher")!.TextContent);

        var stranger = app.NewSession();
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/Setup")).StatusCode);
        // A direct POST, as an attacker would send it.
        var post = await stranger.PostWithTokenAsync("/Setup", new()
        {
            ["Input.DisplayName"] = "Mallory", ["Input.Email"] = "mallory@example.test",
            ["Input.Password"] = "another pass 99", ["Input.ConfirmPassword"] = "another pass 99", ["Input.WorkspaceName"] = "Evil",
        });
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(1, await app.QueryAsync(db => Task.FromResult(db.Users.Count())));
    }

    [Fact]
    public async Task Setup_WithWeakPassword_ShowsTheRuleAndKeepsTheInput()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var session = app.NewSession();
        var response = await session.SubmitFormAsync("/Setup", new()
        {
            ["Input.DisplayName"] = "Olivia", ["Input.Email"] = "olivia@example.test",
            ["Input.Password"] = "short", ["Input.ConfirmPassword"] = "short", ["Input.WorkspaceName"] = "Acme",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("at least 10 characters", page.QuerySelector("[data-valmsg-for='Input.Password']")!.TextContent);
        Assert.Equal("olivia@example.test", page.QuerySelector("#Input_Email")!.GetAttribute("value"));
        Assert.Contains("At least 10 characters", page.QuerySelector("#password-rules")!.TextContent);
    }

    [Fact]
    public async Task UnauthenticatedRequest_IsRedirectedToLogin()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        await app.SetUpOwnerAsync();
        var response = await app.NewSession().GetAsync("/Settings/Members");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/Account/Login?ReturnUrl=%2FSettings%2FMembers", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task SignIn_SignOut_AndWrongPasswordIsRefused()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        await app.SetUpOwnerAsync("owner@example.test");
        var session = app.NewSession();

        var wrong = await session.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "owner@example.test", ["Input.Password"] = "not it at all 1" });
        Assert.Contains("Invalid email or password.", await wrong.Content.ReadAsStringAsync());

        var right = await session.SubmitFormAsync("/Account/Login?ReturnUrl=%2FSettings", new() { ["Input.Email"] = "owner@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword });
        Assert.Equal("/Settings", right.Headers.Location?.OriginalString);
        await session.GetPageAsync("/Settings");

        var dashboard = await session.GetPageAsync("/");
        var signOut = await session.SubmitFormAsync(dashboard, "/", [], "form[action='/Account/Logout']");
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/Settings")).StatusCode);
    }

    [Fact]
    public async Task SignIn_ReturnUrlToAnotherSite_IsIgnored()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        await app.SetUpOwnerAsync("owner@example.test");
        var response = await app.NewSession().SubmitFormAsync("/Account/Login?ReturnUrl=%2F%2Fevil.example",
            new() { ["Input.Email"] = "owner@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword });
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task FiveFailedAttempts_LockTheAccount_WithUnlockTime()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        await app.SetUpOwnerAsync("owner@example.test");
        var session = app.NewSession();
        for (var i = 0; i < 5; i++)
            await session.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "owner@example.test", ["Input.Password"] = $"wrong password {i}" });

        // Even the right password is refused now, with a message that says until when.
        var response = await session.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "owner@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword });
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        var message = page.QuerySelector("#lockout-message")?.TextContent ?? "";
        Assert.Contains("locked", message);
        Assert.Contains("5 failed sign-in attempts", message);
        Assert.Matches(@"after \d\d:\d\d UTC", message);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task PostWithoutAntiforgeryToken_IsRefused()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        await app.SetUpOwnerAsync("owner@example.test");
        var response = await app.NewSession().Client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "owner@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("SendCraft.Auth")));
    }

    [Fact]
    public async Task Profile_ChangesNameEmailAndPassword()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync("owner@example.test");

        var saved = await owner.SubmitFormAsync("/Account/Profile", new() { ["Details.DisplayName"] = "Olivia Renamed", ["Details.Email"] = "olivia@example.test" }, "form[action*='handler=Details']");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        var badCurrent = await owner.SubmitFormAsync("/Account/Profile", new()
        {
            ["Password.CurrentPassword"] = "not my password 1", ["Password.NewPassword"] = "brand new pass 7", ["Password.ConfirmPassword"] = "brand new pass 7",
        }, "form[action*='handler=Password']");
        Assert.Contains("The current password is not correct.", await badCurrent.Content.ReadAsStringAsync());

        var changed = await owner.SubmitFormAsync("/Account/Profile", new()
        {
            ["Password.CurrentPassword"] = SendCraftApp.OwnerPassword, ["Password.NewPassword"] = "brand new pass 7", ["Password.ConfirmPassword"] = "brand new pass 7",
        }, "form[action*='handler=Password']");
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        var signIn = await app.NewSession().SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "olivia@example.test", ["Input.Password"] = "brand new pass 7" });
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        var profile = await owner.GetPageAsync("/Account/Profile");
        Assert.Equal("Olivia Renamed", profile.QuerySelector("#Details_DisplayName")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Layout_NavigatesToEveryArea_AndAnEmptyAreaShowsItsEmptyState()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var dashboard = await owner.GetPageAsync("/");
        var links = dashboard.QuerySelectorAll("nav.sidebar a.nav-link").Select(a => a.TextContent.Trim()).ToList();
        Assert.Equal(["Dashboard", "Campaigns", "Templates", "Contacts", "Lists", "Inbox", "Messages", "Domains", "SMTP accounts", "API keys", "Webhooks", "Settings"], links);
        Assert.NotNull(dashboard.QuerySelector("meta[name=csrf-token][content]"));

        foreach (var href in dashboard.QuerySelectorAll("nav.sidebar a.nav-link").Select(a => a.GetAttribute("href")!))
        {
            var page = await owner.GetPageAsync(href);
            Assert.NotNull(page.QuerySelector("nav.sidebar a.nav-link.active"));
        }
        var campaigns = await owner.GetPageAsync("/campaigns");
        Assert.Contains("No campaigns yet", campaigns.QuerySelector(".empty-state")!.TextContent);
    }

    [Fact]
    public async Task FrontEndLibraries_AreServedFromTheBuild()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var session = app.NewSession();
        foreach (var path in new[] { "/lib/htmx/htmx.min.js", "/lib/bootstrap/bootstrap.min.css", "/lib/chart.js/chart.umd.min.js", "/js/site.js" })
        {
            var response = await session.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, path);
        }
        Assert.Contains("2.0.11", await (await session.GetAsync("/lib/htmx/htmx.min.js")).Content.ReadAsStringAsync());
    }
}

public sealed class SetupAndSignInTests_Sqlite() : SetupAndSignInTests(DatabaseKind.Sqlite);
public sealed class SetupAndSignInTests_MariaDb() : SetupAndSignInTests(DatabaseKind.MariaDb);
