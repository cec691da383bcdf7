using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// The dashboard in a real browser: cards, the Chart.js chart drawn (no CSP violation), the top campaigns, switching the
/// range and the view. Screenshots go to TestResults/screenshots/Dashboard/.
/// </summary>
public sealed class DashboardFlowTests
{
    [Fact]
    public async Task Dashboard_WithData_DrawsCardsChartAndTables_AndSwitchesRangeAndView()
    {
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string> { ["Sending:WorkersEnabled"] = "false" });
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "Dashboard"));
        var page = browser.Page;
        await BrowserSteps.SetUpOwnerAsync(browser, "Acme Newsletters");
        await Expect(page.Locator("#dashboard-empty")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("empty");

        await using (var db = DirectDb.Open(app.Database))
        {
            var ws = await db.Workspaces.Select(w => w.Id).SingleAsync();
            var domains = new[] { "news.acme.test", "mail.acme.test" }.Select(n => new SendingDomain { WorkspaceId = ws, Name = n, DkimPrivateKeyProtected = "-" }).ToList();
            db.SendingDomains.AddRange(domains);
            await db.SaveChangesAsync();
            var accounts = domains.Select(d => new SmtpAccount { WorkspaceId = ws, DomainId = d.Id, FromEmail = "hello@" + d.Name, Host = "smtp." + d.Name }).ToList();
            db.SmtpAccounts.AddRange(accounts);
            var campaigns = new[] { "Winter sale", "December newsletter", "Product launch" }.Select(n => new Campaign { WorkspaceId = ws, Name = n }).ToList();
            db.Campaigns.AddRange(campaigns);
            await db.SaveChangesAsync();
            var today = DateTime.UtcNow.Date;
            var random = new Random(7);
            for (var d = 0; d < 30; d++)
            {
                for (var c = 0; c <= campaigns.Count; c++)
                {
                    var sentCount = c == 0 ? 300 + random.Next(200) : (d + c) % 7 == 0 ? 4000 + random.Next(2000) : 0;
                    if (sentCount == 0) continue;
                    db.MessageStatsDaily.Add(Row<MessageStatsDaily>(ws, today.AddDays(-d), c == 0 ? 0 : campaigns[c - 1].Id, accounts[c % 2].Id, sentCount, random));
                }
            }
            var hour = new DateTime(DateTime.UtcNow.Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, DateTimeKind.Utc);
            for (var h = 0; h < 24; h++)
                db.MessageStatsHourly.Add(Row<MessageStatsHourly>(ws, hour.AddHours(-h), campaigns[0].Id, accounts[0].Id, 100 + random.Next(400), random));
            await db.SaveChangesAsync();
        }

        await page.GotoAsync("/?range=30d");
        await Expect(page.Locator("#metric-sent .metric-value")).Not.ToHaveTextAsync("0");
        await Expect(page.Locator("#top-campaigns tbody tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("#by-domain tbody tr")).ToHaveCountAsync(2);
        // Chart.js drew the chart: the canvas has its size and a chart instance attached.
        await Expect(page.Locator("#dashboard-chart")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => !!Chart.getChart(document.getElementById('dashboard-chart'))"));
        await browser.ScreenshotAsync("30-days");

        await page.Locator("#range-presets a[data-range='24h']").ClickAsync();
        await Expect(page.Locator("#dashboard-scope")).ToContainTextAsync("by hour");
        Assert.Equal(24, await page.EvaluateAsync<int>("() => Chart.getChart(document.getElementById('dashboard-chart')).data.labels.length"));
        await browser.ScreenshotAsync("24-hours");

        await page.Locator("#range-presets a[data-range='90d']").ClickAsync();
        await Expect(page.Locator("#dashboard-scope")).ToContainTextAsync("by day");
        await page.Locator("#view").SelectOptionAsync(new Microsoft.Playwright.SelectOptionValue { Label = "mail.acme.test" });
        await Expect(page.Locator("#dashboard-scope")).ToContainTextAsync("mail.acme.test");
        await Expect(page.Locator("#by-domain tbody tr")).ToHaveCountAsync(1);
        await browser.ScreenshotAsync("90-days-one-domain");

        browser.AssertNoCspViolations();
        BrowserSteps.AssertNoProblems(browser, app);
    }

    private static T Row<T>(long ws, DateTime bucket, long campaign, long account, int sent, Random random) where T : MessageStatsCounts, new()
    {
        var bounced = sent * random.Next(1, 4) / 100;
        var opens = sent * random.Next(25, 45) / 100;
        return new T
        {
            WorkspaceId = ws, BucketStart = bucket, CampaignId = campaign, SmtpAccountId = account, Sent = sent, Deferred = sent / 50, Failed = sent / 200,
            Bounced = bounced, Complaints = sent / 2000, UniqueOpens = opens, Opens = opens * 3 / 2, MachineOpens = opens / 4,
            UniqueClicks = opens / 5, Clicks = opens / 4, MachineClicks = opens / 20, Unsubscribes = sent / 400,
        };
    }
}
