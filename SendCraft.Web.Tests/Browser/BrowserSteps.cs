using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>Steps several browser flows share. Each one waits for the page it leads to, so a flow can go on from there.</summary>
internal static class BrowserSteps
{
    public const string OwnerEmail = "owner@example.test";
    public const string OwnerPassword = "correct horse 42";

    /// <summary>Fills the one-time setup page of a fresh install and waits for the new workspace's dashboard.</summary>
    public static async Task SetUpOwnerAsync(BrowserSession browser, string workspace)
    {
        var page = browser.Page;
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/Setup$"));
        await page.Locator("#Input_DisplayName").FillAsync("Olivia Owner");
        await page.Locator("#Input_Email").FillAsync(OwnerEmail);
        await page.Locator("#Input_Password").FillAsync(OwnerPassword);
        await page.Locator("#Input_ConfirmPassword").FillAsync(OwnerPassword);
        await page.Locator("#Input_WorkspaceName").FillAsync(workspace);
        await browser.ScreenshotAsync("setup");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create owner and workspace" }).ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Dashboard");
        await Expect(page.Locator("#workspace-switcher")).ToContainTextAsync(workspace);
    }

    /// <summary>Fails with the page problems and the app's log when the flow produced console errors or failed requests.</summary>
    public static void AssertNoProblems(BrowserSession browser, AppProcess app) =>
        Assert.True(browser.Problems.Count == 0,
            "The pages reported problems:\n" + string.Join("\n", browser.Problems) + "\n--- app log ---\n" + app.OutputTail());
}
