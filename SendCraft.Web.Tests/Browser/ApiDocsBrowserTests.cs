using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// The Scalar API reference at /api/docs renders in Chromium under its own Content-Security-Policy (no violation, no
/// script error, nothing fetched from another origin) and shows the operations of the OpenAPI document.
/// </summary>
public sealed class ApiDocsBrowserTests
{
    [Fact]
    public async Task ApiReference_RendersTheOperations_WithoutCspViolations()
    {
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite);
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "ApiDocs"));
        var page = browser.Page;
        await page.GotoAsync("/api/docs");
        await Expect(page.GetByText("Send a message").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByText("Send up to 500 messages").First).ToBeVisibleAsync();
        await browser.ScreenshotAsync("api-docs");
        browser.AssertNoCspViolations();
        Assert.Empty(browser.Problems);
    }
}
