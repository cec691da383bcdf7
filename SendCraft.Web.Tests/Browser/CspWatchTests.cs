using System.Text.RegularExpressions;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// The browser flows' Content-Security-Policy watch (BrowserSession) really sees a violation: an inline script and an
/// inline event handler, which the policy forbids, are reported; the app's own scripts (htmx, Bootstrap) still run.
/// </summary>
public sealed class CspWatchTests
{
    [Fact]
    public async Task InlineScript_IsBlocked_AndReportedAsAViolation()
    {
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite);
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "CspWatch"));
        var page = browser.Page;

        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/Setup$"));
        Assert.True(await page.EvaluateAsync<bool>("() => typeof htmx === 'object' && typeof bootstrap === 'object'"), "htmx and Bootstrap load under the policy");
        Assert.Empty(browser.CspViolations);

        // What an injected <script> or onclick= would try: both blocked, so the marker is never set.
        await page.EvaluateAsync("""
            () => {
              const s = document.createElement("script");
              s.textContent = "window.__inlineRan = true";
              document.body.append(s);
              const b = document.createElement("button");
              b.setAttribute("onclick", "window.__inlineRan = true");
              document.body.append(b);
              b.click();
            }
            """);
        await Expect(page.Locator("body")).ToBeVisibleAsync();
        for (var i = 0; i < 50 && browser.CspViolations.Count < 2; i++) await Task.Delay(100);
        Assert.False(await page.EvaluateAsync<bool>("() => window.__inlineRan === true"));
        Assert.Contains(browser.CspViolations, v => v.Contains("script-src", StringComparison.Ordinal));
        Assert.Contains(browser.Problems, p => p.StartsWith("Content-Security-Policy violation", StringComparison.Ordinal));

        await browser.ForgetCspViolationsAsync(); // seen on purpose; disposing must not fail this test
    }
}
