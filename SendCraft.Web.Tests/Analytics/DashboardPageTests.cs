using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Analytics;

/// <summary>The workspace dashboard (Pages/Index) through the real page: figures come from the rollup tables only.</summary>
public abstract class DashboardPageTests(DatabaseKind kind)
{
    internal static async Task<(long Ws, long AccountA, long AccountB, long DomainB, long Campaign)> SeedRollupsAsync(SendCraftApp app, long ws, DateTime today)
    {
        var (_, accountA, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort(), domain: "alpha.test", inWorkspace: ws);
        var (_, accountB, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort(), domain: "beta.test", inWorkspace: ws);
        var domainB = await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().Where(a => a.Id == accountB).Select(a => a.DomainId).SingleAsync());
        var campaign = await app.CampaignAsync(ws, "Winter sale");
        await app.QueryAsync(async db =>
        {
            // Only rollup rows: no message, attempt or event exists, so any figure on the page comes from here.
            db.MessageStatsDaily.AddRange(
                new MessageStatsDaily { WorkspaceId = ws, BucketStart = today.AddDays(-2), CampaignId = campaign, SmtpAccountId = accountA, Sent = 1000, Bounced = 20, UniqueOpens = 400, Opens = 600, MachineOpens = 50, UniqueClicks = 100, Clicks = 150, Unsubscribes = 5, Complaints = 1 },
                new MessageStatsDaily { WorkspaceId = ws, BucketStart = today, CampaignId = 0, SmtpAccountId = accountB, Sent = 200, Deferred = 7, Failed = 3 },
                // Outside the 7-day range, and another workspace's row: neither may show.
                new MessageStatsDaily { WorkspaceId = ws, BucketStart = today.AddDays(-40), CampaignId = campaign, SmtpAccountId = accountA, Sent = 90000 });
            db.MessageStatsHourly.AddRange(
                new MessageStatsHourly { WorkspaceId = ws, BucketStart = new DateTime(DateTime.UtcNow.Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, DateTimeKind.Utc), CampaignId = 0, SmtpAccountId = accountB, Sent = 200, Deferred = 7, Failed = 3 });
            return await db.SaveChangesAsync();
        });
        return (ws, accountA, accountB, domainB, campaign);
    }

    [Fact]
    public async Task Dashboard_ShowsCardsChartAndTables_FromRollupsOnly_WithinTheRangeAndWorkspace()
    {
        await using var app = await SendCraftApp.StartAsync(kind, AnalyticsBuilders.NoJobs);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var ws = await app.WorkspaceIdAsync("Acme");
        var today = DateTime.UtcNow.Date;
        var (_, accountA, accountB, domainB, _) = await SeedRollupsAsync(app, ws, today);
        var other = await app.QueryAsync(async db => { var w = new Workspace { Name = "Other" }; db.Workspaces.Add(w); await db.SaveChangesAsync(); return w.Id; });
        await app.QueryAsync(async db =>
        {
            db.MessageStatsDaily.Add(new MessageStatsDaily { WorkspaceId = other, BucketStart = today, SmtpAccountId = accountA, Sent = 77777 });
            return await db.SaveChangesAsync();
        });

        var page = await owner.GetPageAsync("/?range=7d");
        string Card(string id) => page.QuerySelector($"#metric-{id} .metric-value")!.TextContent;
        Assert.Equal("1,200", Card("sent"));
        Assert.Equal("1,180", Card("delivered"));
        Assert.Contains("98.3 %", page.QuerySelector("#metric-delivered .metric-rate")!.TextContent);
        Assert.Equal("7", Card("deferred"));
        Assert.Equal("3", Card("failed"));
        Assert.Equal("20", Card("bounced"));
        Assert.Equal("400", Card("opens"));
        Assert.Contains("33.9 %", page.QuerySelector("#metric-opens .metric-rate")!.TextContent); // 400 / 1,180 delivered
        Assert.Contains("600 total · 50 machine", page.QuerySelector("#metric-opens .metric-detail")!.TextContent);
        Assert.Equal("100", Card("clicks"));
        Assert.Equal("5", Card("unsubscribes"));
        Assert.Equal("1", Card("complaints"));
        Assert.Null(page.QuerySelector("#dashboard-empty"));

        // Daily buckets over 7 days, the seeded days in place.
        using var chart = JsonDocument.Parse(page.QuerySelector("#dashboard-chart-data")!.TextContent);
        Assert.False(chart.RootElement.GetProperty("hourly").GetBoolean());
        Assert.Equal(7, chart.RootElement.GetProperty("labels").GetArrayLength());
        var delivered = chart.RootElement.GetProperty("series")[0].GetProperty("data").EnumerateArray().Select(e => e.GetInt64()).ToList();
        Assert.Equal([0, 0, 0, 0, 980, 0, 200], delivered);

        var top = page.QuerySelector("#top-campaigns tbody tr")!.TextContent;
        Assert.Contains("Winter sale", top);
        Assert.Contains("1,000", top);
        Assert.Contains("alpha.test", page.QuerySelector("#by-domain")!.TextContent);
        Assert.Contains("beta.test", page.QuerySelector("#by-domain")!.TextContent);
        Assert.Equal(2, page.QuerySelectorAll("#by-account tbody tr").Length);

        // 24 hours: hourly buckets.
        var day = await owner.GetPageAsync("/?range=24h");
        Assert.Equal("200", day.QuerySelector("#metric-sent .metric-value")!.TextContent);
        using var hourly = JsonDocument.Parse(day.QuerySelector("#dashboard-chart-data")!.TextContent);
        Assert.True(hourly.RootElement.GetProperty("hourly").GetBoolean());
        Assert.Equal(24, hourly.RootElement.GetProperty("labels").GetArrayLength());

        // 90 days reaches the old row.
        Assert.Equal("91,200", (await owner.GetPageAsync("/?range=90d")).QuerySelector("#metric-sent .metric-value")!.TextContent);

        // Per account and per domain (the view picker's value and the links of the tables).
        var accountView = await owner.GetPageAsync($"/?range=7d&view=account:{accountA}");
        Assert.Equal("1,000", accountView.QuerySelector("#metric-sent .metric-value")!.TextContent);
        var domainView = await owner.GetPageAsync($"/?range=7d&domain={domainB}");
        Assert.Equal("200", domainView.QuerySelector("#metric-sent .metric-value")!.TextContent);
        Assert.Contains("beta.test", domainView.QuerySelector("#dashboard-scope")!.TextContent);
        Assert.Equal(0, domainView.QuerySelectorAll("#top-campaigns tbody tr a").Length);

        // Custom range: ten days back to yesterday (days), and a bad one is explained.
        var from = today.AddDays(-10).ToString("yyyy-MM-dd");
        var custom = await owner.GetPageAsync($"/?range=custom&from={from}&to={today.AddDays(-1):yyyy-MM-dd}");
        Assert.Equal("1,000", custom.QuerySelector("#metric-sent .metric-value")!.TextContent);
        Assert.Contains("by day", custom.QuerySelector("#dashboard-scope")!.TextContent);
        var bad = await owner.GetPageAsync($"/?range=custom&from={from}&to=2001-01-01");
        Assert.Contains("ends before it starts", bad.QuerySelector("#range-problem")!.TextContent);
    }

    [Fact]
    public async Task Dashboard_WithNothingSent_ShowsTheEmptyState()
    {
        await using var app = await SendCraftApp.StartAsync(kind, AnalyticsBuilders.NoJobs);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var page = await owner.GetPageAsync("/");
        Assert.NotNull(page.QuerySelector("#dashboard-empty"));
        Assert.Null(page.QuerySelector("#metric-cards"));
        Assert.Null(page.QuerySelector("#dashboard-chart"));
        Assert.Equal("7d", page.QuerySelector("#range-presets .active")!.GetAttribute("data-range"));
    }
}

public sealed class DashboardPageTests_Sqlite() : DashboardPageTests(DatabaseKind.Sqlite);
public sealed class DashboardPageTests_MariaDb() : DashboardPageTests(DatabaseKind.MariaDb);
