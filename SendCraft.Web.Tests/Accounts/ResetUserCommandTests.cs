using System.Net;
using System.Text.RegularExpressions;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Accounts;

/// <summary>The owner recovery command (docs/deploy.md), run as its own process on the app's database.</summary>
public abstract partial class ResetUserCommandTests(DatabaseKind kind)
{
    private const string Email = "owner@example.test";

    [Fact]
    public async Task ResetUser_OfAUserWith2fa_SetsANewPassword_TurnsOff2fa_AndLogsAWarning()
    {
        await using var app = await AppProcess.StartAsync(kind);
        var owner = new WebSession(app.CreateClient());
        await SetUpOwnerAsync(owner);
        await TwoFactorTests.EnrolAsync(owner);
        Assert.StartsWith("/Account/LoginWith2fa", (await SignInAsync(app, SendCraftApp.OwnerPassword)).Headers.Location?.OriginalString);

        var (exit, stdout, stderr) = await app.RunCommandAsync(["reset-user", Email]);

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        var password = NewPassword().Match(stdout);
        Assert.True(password.Success, stdout);
        var warning = Regex.Match(stdout, @"warn: .*ResetUserCommand.*\n\s*(.*)");
        Assert.True(warning.Success, stdout);
        Assert.Contains($"User {Email} was reset from the command line", warning.Groups[1].Value);

        // The old password is gone; the new one signs in straight to the app, without a code.
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(app, SendCraftApp.OwnerPassword)).StatusCode);
        var signedIn = await SignInAsync(app, password.Groups[1].Value);
        Assert.Equal("/", signedIn.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ResetUser_WithPasswordOnStdin_UsesThatPassword()
    {
        await using var app = await AppProcess.StartAsync(kind);
        await SetUpOwnerAsync(new WebSession(app.CreateClient()));

        var (exit, stdout, stderr) = await app.RunCommandAsync(["reset-user", Email, "--password-stdin"], "a new passphrase 7\n");

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.DoesNotContain("a new passphrase 7", stdout);
        Assert.Equal("/", (await SignInAsync(app, "a new passphrase 7")).Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ResetUser_OfAnUnknownEmail_ExitsNonzeroWithOneClearLine()
    {
        await using var app = await AppProcess.StartAsync(kind);

        var (exit, stdout, stderr) = await app.RunCommandAsync(["reset-user", "nobody@example.test"]);

        Assert.NotEqual(0, exit);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, stderr);
        Assert.Equal("reset-user: no user has the email address nobody@example.test; nothing was changed.", lines[0].TrimEnd());
        Assert.DoesNotContain("was reset", stdout);
    }

    private static async Task SetUpOwnerAsync(WebSession session)
    {
        var response = await session.SubmitFormAsync("/Setup", new()
        {
            ["Input.DisplayName"] = "Olivia Owner",
            ["Input.Email"] = Email,
            ["Input.Password"] = SendCraftApp.OwnerPassword,
            ["Input.ConfirmPassword"] = SendCraftApp.OwnerPassword,
            ["Input.WorkspaceName"] = "Acme",
        });
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    private static Task<HttpResponseMessage> SignInAsync(AppProcess app, string password) =>
        new WebSession(app.CreateClient()).SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = Email, ["Input.Password"] = password });

    [GeneratedRegex(@"new password: (\S+)")]
    private static partial Regex NewPassword();
}

public sealed class ResetUserCommandTests_Sqlite() : ResetUserCommandTests(DatabaseKind.Sqlite);
public sealed class ResetUserCommandTests_MariaDb() : ResetUserCommandTests(DatabaseKind.MariaDb);
