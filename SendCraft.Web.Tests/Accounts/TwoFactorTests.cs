using System.Net;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Accounts;

public abstract class TwoFactorTests(DatabaseKind kind)
{
    private const string Email = "owner@example.test";

    [Fact]
    public async Task Enrolment_WithComputedCode_TurnsOn2faAndShowsTenRecoveryCodesOnce()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(Email);

        var (key, codes) = await EnrolAsync(owner);

        Assert.Equal(10, codes.Count);
        Assert.Equal(10, codes.Distinct().Count());
        Assert.Matches("^[a-z2-7]{4}( [a-z2-7]{1,4})+$", key);
        var status = await owner.GetPageAsync("/Account/TwoFactor");
        Assert.Equal("On", status.QuerySelector("#twofactor-status")!.TextContent);
        Assert.Null(status.QuerySelector("#recovery-codes")); // shown once, not on later visits
    }

    [Fact]
    public async Task Enrolment_WithWrongCode_IsRefusedAndStaysOff()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(Email);
        var page = await owner.GetPageAsync("/Account/TwoFactor/Enable");
        Assert.NotNull(page.QuerySelector("#qr-code svg"));
        var key = page.QuerySelector("#shared-key")!.TextContent;
        var wrong = (int.Parse(Totp.Code(key)) + 1) % 1_000_000;

        var response = await owner.SubmitFormAsync(page, "/Account/TwoFactor/Enable", new() { ["Code"] = wrong.ToString("D6") });
        Assert.Contains("That code is not valid", await response.Content.ReadAsStringAsync());
        Assert.False(await app.QueryAsync(db => Task.FromResult(db.Users.Single().TwoFactorEnabled)));
    }

    [Fact]
    public async Task SignIn_After2fa_AsksForCode_AndAcceptsTheComputedOne()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var (key, _) = await EnrolAsync(await app.SetUpOwnerAsync(Email));
        var session = app.NewSession();

        var password = await session.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = Email, ["Input.Password"] = SendCraftApp.OwnerPassword });
        Assert.StartsWith("/Account/LoginWith2fa", password.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await session.GetAsync("/")).StatusCode); // not signed in yet

        var wrongStep = await session.SubmitFormAsync(password.Headers.Location.OriginalString, new() { ["Input.Code"] = "000000" });
        Assert.Contains("That code is not valid", await wrongStep.Content.ReadAsStringAsync());
        var signedIn = await SubmitCurrentCodeAsync(session, password.Headers.Location.OriginalString, key);
        Assert.Equal("/", signedIn.Headers.Location?.OriginalString);
        await session.GetPageAsync("/");
    }

    [Fact]
    public async Task SignIn_WithACodeAlreadyUsed_IsRefused_AndACodeOfALaterStepWorks()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var (key, _) = await EnrolAsync(await app.SetUpOwnerAsync(Email)); // uses the current step
        var nextStep = Totp.Code(key, DateTime.UtcNow.AddSeconds(30));

        var first = await StartSignInAsync(app);
        var signedIn = await first.Session.SubmitFormAsync(first.Url, new() { ["Input.Code"] = nextStep });
        Assert.Equal("/", signedIn.Headers.Location?.OriginalString);
        await first.Session.SubmitFormAsync("/", new(), "form[action='/Account/Logout']");
        Assert.Equal(HttpStatusCode.Redirect, (await first.Session.GetAsync("/")).StatusCode); // signed out

        // Seconds later, the same code (same step) again: refused, with a message that says why.
        var second = await StartSignInAsync(app);
        var replay = await second.Session.SubmitFormAsync(second.Url, new() { ["Input.Code"] = nextStep });
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Contains("That code has already been used", await replay.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await second.Session.GetAsync("/")).StatusCode);

        // A code of a later step signs in.
        var fresh = await second.Session.SubmitFormAsync(second.Url, new() { ["Input.Code"] = Totp.Code(key, DateTime.UtcNow.AddSeconds(60)) });
        Assert.Equal("/", fresh.Headers.Location?.OriginalString);
        await second.Session.GetPageAsync("/");
    }

    [Fact]
    public async Task SignIn_WithTheCodeThatConfirmedEnrolment_IsRefused()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(Email);
        var page = await owner.GetPageAsync("/Account/TwoFactor/Enable");
        var key = page.QuerySelector("#shared-key")!.TextContent.Trim();
        var code = Totp.Code(key);
        await owner.SubmitFormAsync(page, "/Account/TwoFactor/Enable", new() { ["Code"] = code });
        Assert.True(await app.QueryAsync(db => Task.FromResult(db.Users.Single().TwoFactorEnabled)));

        var signIn = await StartSignInAsync(app);
        var replay = await signIn.Session.SubmitFormAsync(signIn.Url, new() { ["Input.Code"] = code });
        Assert.Contains("That code has already been used", await replay.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await signIn.Session.GetAsync("/")).StatusCode);
    }

    private static async Task<(WebSession Session, string Url)> StartSignInAsync(SendCraftApp app)
    {
        var session = app.NewSession();
        var password = await session.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = Email, ["Input.Password"] = SendCraftApp.OwnerPassword });
        var url = password.Headers.Location!.OriginalString;
        Assert.StartsWith("/Account/LoginWith2fa", url);
        return (session, url);
    }

    [Fact]
    public async Task SignIn_WithRecoveryCode_WorksOnceOnly()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var (_, codes) = await EnrolAsync(await app.SetUpOwnerAsync(Email));

        async Task<HttpResponseMessage> SignInWithRecoveryAsync(string recovery)
        {
            var session = app.NewSession();
            await session.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = Email, ["Input.Password"] = SendCraftApp.OwnerPassword });
            return await session.SubmitFormAsync("/Account/LoginWithRecoveryCode", new() { ["Input.RecoveryCode"] = recovery });
        }

        Assert.Equal("/", (await SignInWithRecoveryAsync(codes[3])).Headers.Location?.OriginalString);
        var again = await SignInWithRecoveryAsync(codes[3]);
        Assert.Null(again.Headers.Location);
        Assert.Contains("not valid or has been used", await again.Content.ReadAsStringAsync());
        Assert.Equal(9, await app.QueryAsync(db => Task.FromResult(db.Users.Single().TwoFactorEnabled ? CountCodes(db) : -1)));
    }

    [Fact]
    public async Task Disable_RequiresThePassword()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(Email);
        await EnrolAsync(owner);

        var refused = await owner.SubmitFormAsync("/Account/TwoFactor", new() { ["password"] = "not the password 1" }, "form[action*='handler=Disable']");
        Assert.Contains("The password is not correct.", await refused.Content.ReadAsStringAsync());
        Assert.True(await app.QueryAsync(db => Task.FromResult(db.Users.Single().TwoFactorEnabled)));

        var done = await owner.SubmitFormAsync("/Account/TwoFactor", new() { ["password"] = SendCraftApp.OwnerPassword }, "form[action*='handler=Disable']");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.False(await app.QueryAsync(db => Task.FromResult(db.Users.Single().TwoFactorEnabled)));
    }

    [Fact]
    public async Task Disable_ThenEnrolAgainAtOnce_AcceptsTheNewKeysCurrentCode()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(Email);
        await EnrolAsync(owner);
        await owner.SubmitFormAsync("/Account/TwoFactor", new() { ["password"] = SendCraftApp.OwnerPassword }, "form[action*='handler=Disable']");

        var (_, codes) = await EnrolAsync(owner); // within seconds: most likely the same 30-second step
        Assert.Equal(10, codes.Count);
    }

    [Fact]
    public async Task WorkspaceRequiring2fa_SendsMembersWithout2faToEnrolment()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(Email, "Acme");
        await app.AddMemberAsync(await app.WorkspaceIdAsync("Acme"), "member@example.test", WorkspaceRole.Member);

        // The owner has no 2FA either: turning the requirement on sends them to enrolment too.
        var saved = await owner.SubmitFormAsync("/Settings", new() { ["Input.Name"] = "Acme", ["Input.RequireTwoFactor"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        var member = app.NewSession();
        var signIn = await member.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "member@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword });
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        var home = await member.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/Account/TwoFactor/Enable?required=true", home.Headers.Location?.OriginalString);
        var enrol = await member.GetPageAsync("/Account/TwoFactor/Enable?required=true");
        Assert.Contains("requires two-factor authentication", enrol.QuerySelector("#twofactor-required")!.TextContent);

        // Once enrolled, the member gets in.
        await EnrolAsync(member);
        await member.GetPageAsync("/");
    }

    /// <summary>Walks the enrolment page with a code computed by Otp.NET; returns the key and the recovery codes shown.</summary>
    internal static async Task<(string Key, List<string> RecoveryCodes)> EnrolAsync(WebSession session)
    {
        var page = await session.GetPageAsync("/Account/TwoFactor/Enable");
        var key = page.QuerySelector("#shared-key")!.TextContent.Trim();
        var response = await session.SubmitFormAsync(page, "/Account/TwoFactor/Enable", new() { ["Code"] = Totp.Code(key) });
        var result = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        var codes = result.QuerySelectorAll("#recovery-code-list li").Select(li => li.TextContent.Trim()).ToList();
        Assert.True(codes.Count > 0, "No recovery codes shown: " + result.QuerySelector("main")?.TextContent);
        return (key, codes);
    }

    /// <summary>Submits the code of the current or next 30-second step; the enrolment already used the current one.</summary>
    private static async Task<HttpResponseMessage> SubmitCurrentCodeAsync(WebSession session, string url, string key)
    {
        HttpResponseMessage response = null!;
        foreach (var offset in new[] { 0, 30 })
        {
            response = await session.SubmitFormAsync(url, new() { ["Input.Code"] = Totp.Code(key, DateTime.UtcNow.AddSeconds(offset)) });
            if (response.StatusCode == HttpStatusCode.Redirect) break;
        }
        return response;
    }

    private static int CountCodes(SendCraftDbContext db)
    {
        var token = db.Set<Microsoft.AspNetCore.Identity.IdentityUserToken<string>>().Single(t => t.Name == "RecoveryCodes").Value!;
        return token.Split(';', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}

public sealed class TwoFactorTests_Sqlite() : TwoFactorTests(DatabaseKind.Sqlite);
public sealed class TwoFactorTests_MariaDb() : TwoFactorTests(DatabaseKind.MariaDb);
