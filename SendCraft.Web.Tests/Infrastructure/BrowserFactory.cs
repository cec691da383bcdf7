using Microsoft.Playwright;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright. Playwright's own browser builds are never downloaded
/// (no `playwright install`): the test machine's /usr/bin/chromium is used.
/// </summary>
public static class BrowserFactory
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static async Task<BrowserSession> LaunchAsync(Uri baseAddress, string screenshotFolder)
    {
        if (!File.Exists(ChromiumPath)) throw new FileNotFoundException($"{ChromiumPath} is missing: scripts/test installs Debian's chromium package.");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
                Timeout = 60_000,
            });
            var context = await browser.NewContextAsync(new()
            {
                BaseURL = baseAddress.ToString(),
                ViewportSize = new() { Width = 1280, Height = 800 },
                Locale = "en-GB",
                TimezoneId = "UTC",
            });
            context.SetDefaultTimeout(20_000);
            var page = await context.NewPageAsync();
            var session = new BrowserSession(playwright, browser, page, screenshotFolder);
            await session.WatchContentSecurityPolicyAsync(context);
            return session;
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}

/// <summary>
/// One browser with one page, numbered screenshots, and a record of what went wrong in the page (console errors, failed
/// or 4xx/5xx requests). Content-Security-Policy violations are recorded too (also among <see cref="Problems"/>) and
/// fail the flow when the session is disposed, so every browser test fails on one even if it never looks at Problems.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly string _screenshots;
    private readonly List<string> _problems = [];
    private readonly List<string> _cspViolations = [];
    private readonly HashSet<string> _cspSeen = [];
    private int _step;

    internal BrowserSession(IPlaywright playwright, IBrowser browser, IPage page, string screenshotFolder)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        _screenshots = screenshotFolder;
        Directory.CreateDirectory(screenshotFolder);
        foreach (var old in Directory.GetFiles(screenshotFolder, "*.png")) File.Delete(old);

        page.Console += (_, m) =>
        {
            if (m.Type == "error") Record($"console error on {page.Url}: {m.Text}");
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || m.Text.Contains("Refused to", StringComparison.Ordinal))
                RecordViolation($"console on {page.Url}", m.Text);
        };
        page.PageError += (_, e) => Record($"script error on {page.Url}: {e}");
        page.RequestFailed += (_, r) => Record($"request failed: {r.Method} {r.Url} ({r.Failure})");
        page.Response += (_, r) => { if (r.Status >= 400) Record($"{r.Status} for {r.Request.Method} {r.Url}"); };
    }

    public IPage Page { get; }

    /// <summary>Console errors, script errors and failed requests seen so far; a healthy page flow leaves this empty.</summary>
    public IReadOnlyList<string> Problems { get { lock (_problems) return [.. _problems]; } }

    /// <summary>Content-Security-Policy violations seen so far (console messages and securitypolicyviolation events).</summary>
    public IReadOnlyList<string> CspViolations { get { lock (_problems) return [.. _cspViolations]; } }

    /// <summary>
    /// Every document reports its securitypolicyviolation events to the test at once through a binding (so a
    /// navigation cannot lose them), and keeps them in window.__cspViolations as well.
    /// </summary>
    internal async Task WatchContentSecurityPolicyAsync(IBrowserContext context)
    {
        await context.ExposeBindingAsync("__reportCspViolation", (BindingSource source, string violation) =>
            RecordViolation($"securitypolicyviolation on {source.Frame?.Url}", violation));
        await context.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener("securitypolicyviolation", (e) => {
              const text = `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile || ""}:${e.lineNumber} ${e.sample || ""}`;
              window.__cspViolations.push(text);
              if (window.__reportCspViolation) window.__reportCspViolation(text);
            });
            """);
    }

    /// <summary>Fails when a page broke the Content-Security-Policy (also checked when the session is disposed).</summary>
    public void AssertNoCspViolations()
    {
        var violations = CspViolations;
        Assert.True(violations.Count == 0, "Content-Security-Policy violations:\n" + string.Join("\n", violations));
    }

    /// <summary>For the test of the watch itself, which causes violations on purpose.</summary>
    internal async Task ForgetCspViolationsAsync()
    {
        lock (_problems)
        {
            _cspViolations.Clear();
            _problems.RemoveAll(p => p.StartsWith("Content-Security-Policy violation", StringComparison.Ordinal));
        }
        await Page.EvaluateAsync("() => { window.__cspViolations = []; }");
    }

    /// <summary>Saves a full-page screenshot as NN-name.png and returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(_screenshots, $"{++_step:00}-{name}.png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        // The current page's own record too, for a violation whose report had not reached the binding yet.
        try
        {
            if (!Page.IsClosed)
                foreach (var v in await Page.EvaluateAsync<string[]>("() => window.__cspViolations ?? []")) RecordViolation($"on {Page.Url}", v);
        }
        catch (PlaywrightException) { /* the page is gone; the binding reported what it saw */ }
        await _browser.CloseAsync();
        _playwright.Dispose();
        AssertNoCspViolations();
    }

    private void Record(string problem)
    {
        lock (_problems) _problems.Add(problem);
    }

    private void RecordViolation(string where, string violation)
    {
        lock (_problems)
        {
            if (!_cspSeen.Add(violation)) return;
            _cspViolations.Add($"{where}: {violation}");
            _problems.Add($"Content-Security-Policy violation {where}: {violation}");
        }
    }
}
