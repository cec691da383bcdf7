using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Realtime;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Realtime;

/// <summary>
/// The worker on one instance, the browser on another: an in-process app (instance A) publishes campaign progress, and a
/// browser signed in to an app process (instance B) on the same MariaDB database sees its progress panel replaced live,
/// through the Redis backplane. Screenshots go to TestResults/screenshots/LiveProgress/.
/// </summary>
public sealed class LiveProgressBrowserTests
{
    [Fact]
    public async Task ProgressPublishedOnOneInstance_ReplacesThePanelInABrowserOnAnother()
    {
        var redis = RedisScaleOutTests.RedisServer;
        await using var a = await SendCraftApp.StartAsync(DatabaseKind.MariaDb, new Dictionary<string, string?>
        {
            ["Realtime:Redis"] = redis, ["Sending:WorkersEnabled"] = "false",
        });
        await a.SetUpOwnerAsync();
        var acme = await a.WorkspaceIdAsync("Acme");
        await using var b = await AppProcess.StartOnAsync(a.Database, new Dictionary<string, string> { ["Realtime:Redis"] = redis, ["Sending:WorkersEnabled"] = "false" });

        await using var browser = await BrowserFactory.LaunchAsync(b.BaseAddress, RepoPaths.Results("screenshots", "LiveProgress"));
        var page = browser.Page;
        await page.GotoAsync("/Account/Login");
        await page.Locator("#Input_Email").FillAsync("owner@example.test");
        await page.Locator("#Input_Password").FillAsync(SendCraftApp.OwnerPassword);
        await page.Locator("form button[type=submit]").First.ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Dashboard");

        // A panel placeholder arrives on the page (as a campaign page or an htmx swap would put it there): realtime.js
        // connects to /hubs/campaigns and joins the workspace.
        await page.EvaluateAsync(@"(ws) => {
            const panel = document.createElement('div');
            panel.id = 'campaign-progress-77';
            panel.dataset.campaignProgress = '77';
            panel.dataset.workspaceId = String(ws);
            panel.textContent = 'waiting for progress';
            document.querySelector('main').prepend(panel);
        }", acme);
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-realtime-campaigns", "connected");

        var publisher = a.Services.GetRequiredService<ICampaignProgressPublisher>();
        await publisher.PublishAsync(HubIsolationTests.Progress(77, acme, "Winter newsletter"));
        var panel = page.Locator("#campaign-progress-77");
        await Expect(panel.Locator(".campaign-status")).ToHaveTextAsync("Sending", new() { Timeout = 30_000 });
        await Expect(panel.Locator(".campaign-percent")).ToHaveTextAsync("37.5%");
        await Expect(panel.Locator("[data-counter=sent]")).ToHaveTextAsync("350");
        await Expect(panel.Locator(".campaign-eta")).ToHaveTextAsync("3 min");
        await browser.ScreenshotAsync("progress-sending");

        // The next push replaces it again: finished.
        await publisher.PublishAsync(HubIsolationTests.Progress(77, acme, "Winter newsletter") with
        {
            Status = "Sent", Queued = 0, Sending = 0, Deferred = 0, Sent = 975, PerMinute = 0, Eta = null,
        });
        await Expect(panel.Locator(".campaign-status")).ToHaveTextAsync("Sent");
        await Expect(panel.Locator(".campaign-percent")).ToHaveTextAsync("100%");
        await Expect(panel).ToHaveAttributeAsync("class", new Regex("campaign-progress"));
        await browser.ScreenshotAsync("progress-sent");

        Browser.BrowserSteps.AssertNoProblems(browser, b);
    }
}
