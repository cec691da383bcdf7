using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Analytics;

/// <summary>The rollup job (Analytics/RollupJob.cs) on real databases: rows inserted directly, the job's method run, the rollups read back.</summary>
public abstract class RollupJobTests(DatabaseKind kind)
{
    private static readonly DateTime Day = new(2026, 11, 20, 0, 0, 0, DateTimeKind.Utc);
    private static DateTime At(int hour, int minute) => Day.AddHours(hour).AddMinutes(minute);

    [Fact]
    public async Task RollUp_CountsAttemptsAndEvents_IntoHourAndDayBuckets_PerCampaignAndAccount()
    {
        await using var app = await SendCraftApp.StartAsync(kind, AnalyticsBuilders.NoJobs);
        var (ws, accountA, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort(), domain: "a.test");
        var (_, accountB, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort(), domain: "b.test", inWorkspace: ws);
        var campaign = await app.CampaignAsync(ws, "November news");
        var content = await app.ContentAsync(ws, Day);
        var m1 = await app.MessageAsync(ws, accountA, content, campaign);
        var m2 = await app.MessageAsync(ws, accountB, content);
        var test = await app.MessageAsync(ws, accountA, content, campaign, isTest: true);

        await app.AttemptAsync(ws, m1, AttemptOutcome.Deferred, At(10, 15));
        await app.AttemptAsync(ws, m1, AttemptOutcome.Sent, At(10, 50));
        await app.AttemptAsync(ws, test, AttemptOutcome.Sent, At(10, 20));
        await app.AttemptAsync(ws, m2, AttemptOutcome.Failed, At(11, 5));
        await app.EventAsync(ws, m1, campaign, MessageEventType.Open, At(12, 10), unique: true);
        await app.EventAsync(ws, m1, campaign, MessageEventType.Open, At(12, 30));
        await app.EventAsync(ws, m1, campaign, MessageEventType.Open, At(12, 11), machine: true, unique: true);
        await app.EventAsync(ws, m1, campaign, MessageEventType.Click, At(12, 40), unique: true);
        await app.EventAsync(ws, m1, campaign, MessageEventType.Click, At(12, 41));
        await app.EventAsync(ws, m1, campaign, MessageEventType.Click, At(10, 51), machine: true, unique: true);
        await app.EventAsync(ws, m1, campaign, MessageEventType.Unsubscribe, At(12, 45));
        await app.EventAsync(ws, m1, campaign, MessageEventType.Complaint, At(12, 46));
        await app.EventAsync(ws, m1, campaign, MessageEventType.Reply, At(12, 47));
        await app.EventAsync(ws, m2, null, MessageEventType.Bounce, At(13, 0));
        await app.EventAsync(ws, m2, null, MessageEventType.SoftBounce, At(13, 1));

        Assert.Equal((4, 11), await app.RollUpSettledAsync());

        var hourly = await app.HourlyAsync();
        MessageStatsHourly Row(int hour, long campaignId, long account) =>
            Assert.Single(hourly, s => s.BucketStart == At(hour, 0) && s.CampaignId == campaignId && s.SmtpAccountId == account);
        Assert.All(hourly, s => Assert.Equal(ws, s.WorkspaceId));
        var tenCampaign = Row(10, campaign, accountA);
        Assert.Equal((1, 1, 0, 1), (tenCampaign.Sent, tenCampaign.Deferred, tenCampaign.Failed, tenCampaign.MachineClicks));
        var tenTest = Row(10, 0, accountA); // a test send counts as mail of no campaign
        Assert.Equal((1, 0), (tenTest.Sent, tenTest.Deferred));
        Assert.Equal(1, Row(11, 0, accountB).Failed);
        var noon = Row(12, campaign, accountA);
        Assert.Equal((2, 1, 1), (noon.Opens, noon.UniqueOpens, noon.MachineOpens));
        Assert.Equal((2, 1, 0), (noon.Clicks, noon.UniqueClicks, noon.MachineClicks));
        Assert.Equal((1, 1, 1, 0), (noon.Unsubscribes, noon.Complaints, noon.Replies, noon.Sent));
        var one = Row(13, 0, accountB);
        Assert.Equal((1, 1), (one.Bounced, one.SoftBounced));
        Assert.Equal(5, hourly.Count);

        var daily = await app.DailyAsync();
        Assert.Equal(3, daily.Count);
        Assert.All(daily, s => Assert.Equal(Day, s.BucketStart));
        var dayCampaign = Assert.Single(daily, s => s.CampaignId == campaign);
        Assert.Equal((1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1), (dayCampaign.Sent, dayCampaign.Deferred, dayCampaign.Opens, dayCampaign.UniqueOpens, dayCampaign.MachineOpens,
            dayCampaign.Clicks, dayCampaign.UniqueClicks, dayCampaign.MachineClicks, dayCampaign.Unsubscribes, dayCampaign.Complaints, dayCampaign.Replies));
        var dayB = Assert.Single(daily, s => s.SmtpAccountId == accountB);
        Assert.Equal((0, 1, 1, 1), (dayB.Sent, dayB.Failed, dayB.Bounced, dayB.SoftBounced));
    }

    [Fact]
    public async Task RollUp_CountsACampaignsMailPerRecipientDomain_AcceptedFailedAndLaterBounced_WithoutTestSends()
    {
        await using var app = await SendCraftApp.StartAsync(kind, AnalyticsBuilders.NoJobs);
        var (ws, account, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort(), domain: "a.test");
        var campaign = await app.CampaignAsync(ws, "December news");
        var other = await app.CampaignAsync(ws, "Other");
        var content = await app.ContentAsync(ws, Day);
        var ann = await app.MessageAsync(ws, account, content, campaign, recipient: "ann@Mail.Example");
        var bob = await app.MessageAsync(ws, account, content, campaign, recipient: "bob@mail.example");
        var cat = await app.MessageAsync(ws, account, content, campaign, recipient: "cat@corp.example");
        var test = await app.MessageAsync(ws, account, content, campaign, isTest: true, recipient: "me@mail.example");
        var api = await app.MessageAsync(ws, account, content, recipient: "dan@mail.example");
        var elsewhere = await app.MessageAsync(ws, account, content, other, recipient: "eve@mail.example");

        await app.AttemptAsync(ws, ann, AttemptOutcome.Sent, At(10, 0));
        await app.AttemptAsync(ws, bob, AttemptOutcome.Deferred, At(10, 1));
        await app.AttemptAsync(ws, bob, AttemptOutcome.Sent, At(10, 30));
        await app.AttemptAsync(ws, cat, AttemptOutcome.Failed, At(10, 2));
        await app.AttemptAsync(ws, test, AttemptOutcome.Sent, At(10, 3));
        await app.AttemptAsync(ws, api, AttemptOutcome.Sent, At(10, 4));
        await app.AttemptAsync(ws, elsewhere, AttemptOutcome.Sent, At(10, 5));
        await app.EventAsync(ws, bob, campaign, MessageEventType.Bounce, At(11, 0));
        await app.EventAsync(ws, ann, campaign, MessageEventType.Open, At(11, 1));
        await app.RollUpSettledAsync();

        var rows = await app.QueryAsync(db => db.CampaignDomainStats.IgnoreQueryFilters().AsNoTracking().OrderBy(s => s.CampaignId).ThenBy(s => s.Domain).ToListAsync());
        Assert.Equal([(campaign, "corp.example", 0L, 1L, 0L), (campaign, "mail.example", 2L, 0L, 1L), (other, "mail.example", 1L, 0L, 0L)],
            rows.Select(s => (s.CampaignId, s.Domain, s.Sent, s.Failed, s.Bounced)));
        Assert.All(rows, s => Assert.Equal(ws, s.WorkspaceId));
    }

    [Fact]
    public async Task RollUp_IsIncremental_RunningAgainAddsOnlyNewRows()
    {
        await using var app = await SendCraftApp.StartAsync(kind, AnalyticsBuilders.NoJobs);
        var (ws, account, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort());
        var content = await app.ContentAsync(ws, Day);
        var m = await app.MessageAsync(ws, account, content);
        await app.AttemptAsync(ws, m, AttemptOutcome.Sent, At(9, 0));
        await app.EventAsync(ws, m, null, MessageEventType.Open, At(9, 5), unique: true);
        Assert.Equal((1, 1), await app.RollUpSettledAsync());

        // Nothing new: more runs add nothing.
        Assert.Equal((0, 0), await app.RollUpSettledAsync());
        Assert.Equal((0, 0), await app.RollUpSettledAsync());
        var once = Assert.Single(await app.HourlyAsync());
        Assert.Equal((1, 1), (once.Sent, once.Opens));

        // New rows in the same bucket add to it, once.
        await app.AttemptAsync(ws, m, AttemptOutcome.Sent, At(9, 30));
        await app.EventAsync(ws, m, null, MessageEventType.Open, At(9, 31));
        Assert.Equal((1, 1), await app.RollUpSettledAsync());
        Assert.Equal((0, 0), await app.RollUpSettledAsync());
        var twice = Assert.Single(await app.HourlyAsync());
        Assert.Equal((2, 2, 1), (twice.Sent, twice.Opens, twice.UniqueOpens));
        Assert.Equal(2, Assert.Single(await app.DailyAsync()).Sent);
    }

    [Fact]
    public async Task RollUp_WaitsForTheSettleTime_SoAnIdCommittedLateBelowTheNewestIsStillCounted()
    {
        await using var app = await SendCraftApp.StartAsync(kind, AnalyticsBuilders.NoJobs);
        var (ws, account, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort());
        var content = await app.ContentAsync(ws, Day);
        var m = await app.MessageAsync(ws, account, content);

        // Id 100 is visible; id 50 belongs to a transaction that has not committed yet (simulated: written later, with its id).
        await app.AttemptAsync(ws, m, AttemptOutcome.Sent, At(8, 0), id: 100);
        Assert.Equal((0, 0), await app.RollUpAsync()); // notes 100 as the newest; rolls up nothing yet
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal((0, 0), await app.RollUpAsync()); // not settled yet
        Assert.Empty(await app.HourlyAsync());

        await app.AttemptAsync(ws, m, AttemptOutcome.Sent, At(8, 1), id: 50); // the late commit, within the settle time
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal((100, 0), await app.RollUpAsync()); // ids 1..100
        Assert.Equal(2, Assert.Single(await app.HourlyAsync()).Sent);

        // A row committed below the watermark after it moved is not counted: the documented bound of the design.
        await app.AttemptAsync(ws, m, AttemptOutcome.Sent, At(8, 2), id: 60);
        Assert.Equal((0, 0), await app.RollUpSettledAsync());
        Assert.Equal(2, Assert.Single(await app.HourlyAsync()).Sent);
    }

    [Fact]
    public async Task RollUp_TwoRunsAtOnce_CountEachRowOnce()
    {
        await using var app = await SendCraftApp.StartAsync(kind, AnalyticsBuilders.NoJobs);
        var (ws, account, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort());
        var content = await app.ContentAsync(ws, Day);
        var m = await app.MessageAsync(ws, account, content);
        await app.QueryAsync(async db =>
        {
            db.MessageAttempts.AddRange(Enumerable.Range(0, 500).Select(i => new MessageAttempt
            {
                WorkspaceId = ws, MessageId = m, Outcome = AttemptOutcome.Sent, StartedAt = At(7, i % 60), FinishedAt = At(7, i % 60),
            }));
            return await db.SaveChangesAsync();
        });
        await app.RollUpAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        // Two instances' runs overlapping (Quartz prevents it; the watermark's compare-and-set makes it harmless anyway).
        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(app.RollUpAsync)));
        Assert.Equal(500, runs.Sum(r => r.Attempts));
        Assert.Equal(500, Assert.Single(await app.HourlyAsync()).Sent);
        Assert.Equal(500, Assert.Single(await app.DailyAsync()).Sent);
    }
}

public sealed class RollupJobTests_Sqlite() : RollupJobTests(DatabaseKind.Sqlite);
public sealed class RollupJobTests_MariaDb() : RollupJobTests(DatabaseKind.MariaDb);
