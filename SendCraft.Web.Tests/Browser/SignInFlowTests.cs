using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// The first-run journey in a real browser against the built app: setup, two-factor enrolment with an authenticator
/// code computed independently (Otp.NET), sign-out, and sign-in with password and code. Screenshots of every step
/// go to TestResults/screenshots/SignInFlow/.
/// </summary>
public sealed class SignInFlowTests
{
    private const string Email = "owner@example.test";
    private const string Password = "correct horse 42";

    [Fact]
    public async Task Owner_SetsUp_EnrolsTwoFactor_SignsOut_AndSignsInWithPasswordAndCode()
    {
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite);
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "SignInFlow"));
        var page = browser.Page;
        var dashboardUrl = app.BaseAddress.ToString();

        // 1. A fresh install sends the first visitor to the one-time setup page.
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/Setup$"));
        await page.Locator("#Input_DisplayName").FillAsync("Olivia Owner");
        await page.Locator("#Input_Email").FillAsync(Email);
        await page.Locator("#Input_Password").FillAsync(Password);
        await page.Locator("#Input_ConfirmPassword").FillAsync(Password);
        await page.Locator("#Input_WorkspaceName").FillAsync("Acme Newsletters");
        await browser.ScreenshotAsync("setup-filled");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create owner and workspace" }).ClickAsync();

        // 2. Setup signs the owner in and lands on the dashboard of the new workspace.
        await Expect(page).ToHaveURLAsync(dashboardUrl);
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Dashboard");
        await Expect(page.Locator("#workspace-switcher")).ToContainTextAsync("Acme Newsletters");
        await browser.ScreenshotAsync("dashboard");

        // 3. The user menu (Bootstrap's dropdown script must work) leads to the two-factor page.
        await page.Locator("#user-menu").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Two-factor authentication" }).ClickAsync();
        await Expect(page.Locator("#twofactor-status")).ToHaveTextAsync("Off");
        await browser.ScreenshotAsync("two-factor-off");

        // 4. Enrolment shows a QR code and the key as text; an authenticator app computes the code from the key.
        await page.Locator("#enable-2fa").ClickAsync();
        await Expect(page.Locator("#qr-code svg")).ToBeVisibleAsync();
        var sharedKey = (await page.Locator("#shared-key").TextContentAsync())!.Trim();
        Assert.Matches("^([a-z2-7]{4} )+[a-z2-7]{1,4}$", sharedKey);
        await browser.ScreenshotAsync("enable-two-factor");

        var enrolledAt = DateTime.UtcNow;
        await page.Locator("#Code").FillAsync(Totp.Code(sharedKey, enrolledAt));
        await page.Locator("#verify-2fa").ClickAsync();

        // 5. Ten recovery codes are shown once.
        await Expect(page.Locator("#recovery-code-list li")).ToHaveCountAsync(10);
        var recoveryCodes = await page.Locator("#recovery-code-list li").AllTextContentsAsync();
        Assert.Equal(10, recoveryCodes.Select(c => c.Trim()).Distinct().Count());
        await browser.ScreenshotAsync("recovery-codes");
        await page.Locator("#continue").ClickAsync();
        await Expect(page).ToHaveURLAsync(dashboardUrl);

        // 6. Sign out from the user menu.
        await page.Locator("#user-menu").ClickAsync();
        await page.Locator("#sign-out").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/Account/Login$"));
        await Expect(page.Locator("#user-menu")).ToHaveCountAsync(0);
        await browser.ScreenshotAsync("signed-out");

        // 7. Sign in again: the password alone is no longer enough, the authenticator code is asked for.
        await page.Locator("#Input_Email").FillAsync(Email);
        await page.Locator("#Input_Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/Account/LoginWith2fa"));
        await Expect(page.Locator("#user-menu")).ToHaveCountAsync(0);
        await browser.ScreenshotAsync("two-factor-prompt");

        // A code is good for one 30-second step, and Identity may refuse the step already used at enrolment:
        // wait (at most one step) for the next one, as a person would.
        await WaitForNextTotpStepAsync(after: enrolledAt);
        await page.Locator("#Input_Code").FillAsync(Totp.Code(sharedKey));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();

        // 8. Back on the dashboard, signed in.
        await Expect(page).ToHaveURLAsync(dashboardUrl);
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Dashboard");
        await Expect(page.Locator("#user-menu")).ToContainTextAsync(Email);
        await browser.ScreenshotAsync("signed-in-with-code");

        Assert.True(browser.Problems.Count == 0, "The pages reported problems:\n" + string.Join("\n", browser.Problems) + "\n--- app log ---\n" + app.OutputTail());
    }

    private static async Task WaitForNextTotpStepAsync(DateTime after)
    {
        static long Step(DateTime t) => new DateTimeOffset(t).ToUnixTimeSeconds() / 30;
        var now = DateTime.UtcNow;
        if (Step(now) != Step(after)) return;
        var nextStep = DateTimeOffset.FromUnixTimeSeconds((Step(after) + 1) * 30).UtcDateTime;
        await Task.Delay(nextStep - now + TimeSpan.FromMilliseconds(500)); // at most 30.5 s
    }
}
