using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// The Scalar API reference at /api/docs renders in Chromium under its own Content-Security-Policy (nothing inline but
/// its hashed configuration, nothing from another origin, no eval) and shows the operations of the OpenAPI document.
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
        // Scalar probes for eval in scalar.js; the policy blocks it (no 'unsafe-eval' anywhere) and the reference works
        // without it, as the operations above show. That probe is the only violation allowed: no inline script, no
        // other origin.
        var unexpected = browser.CspViolations.Where(v => !IsScalarEvalProbe(v)).ToList();
        Assert.True(unexpected.Count == 0, "CSP violations:\n" + string.Join("\n", unexpected));
        var problems = browser.Problems.Where(p => !IsScalarEvalProbe(p) && !p.Contains("unsafe-eval", StringComparison.Ordinal)).ToList();
        Assert.True(problems.Count == 0, "Problems:\n" + string.Join("\n", problems));
        await browser.ForgetCspViolationsAsync();
    }

    private static bool IsScalarEvalProbe(string message) =>
        message.Contains("eval", StringComparison.OrdinalIgnoreCase) && message.Contains("/api/docs/scalar.js", StringComparison.Ordinal);
}
