using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Campaigns;

/// <summary>
/// Campaigns run by real app processes on one MariaDB (a Quartz cluster): started exactly once by two instances, through
/// SIGKILL during expansion and during sending, through a misfire while every instance was down, and through pause and
/// resume under load. An in-process control app (no jobs, no workers) schedules and pauses, as the pages do.
/// One class, so its tests run one after another (the control app's Quartz name must be unique in this process).
/// </summary>
public sealed class CampaignProcessTests
{
    private static Dictionary<string, string> Settings(int chunk = 500) => new()
    {
        ["Sending:Lease"] = "00:00:03",
        ["Sending:PollInterval"] = "00:00:00.200",
        ["Sending:BatchSize"] = "100",
        ["Campaigns:MonitorInterval"] = "00:00:00.500",
        ["Campaigns:ExpansionChunkSize"] = chunk.ToString(),
        ["Scheduling:ClusterCheckinInterval"] = "00:00:01",
        ["Scheduling:MisfireThreshold"] = "00:00:02",
    };

    [Fact]
    public async Task TwoInstances_ScheduledCampaign_StartsOnceExpandsOnce_EachRecipientOnce()
    {
        const int total = 2000;
        await using var sink = await SmtpSink.StartAsync();
        await using var a = await AppProcess.StartAsync(DatabaseKind.MariaDb, Settings());
        await using var b = await AppProcess.StartOnAsync(a.Database, Settings());
        var (ws, campaign) = await SeedAsync(a.Database, sink.Port, total, messagesPerSecond: 2000);
        await using (var control = CampaignBuilders.ControlApp(a.Database))
            Assert.True((await control.ControlAsync(ws, c => c.ScheduleAsync(campaign, DateTime.UtcNow.AddSeconds(3), null))).Succeeded);

        var sent = await CampaignBuilders.WaitForCampaignAsync(() => CampaignBuilders.CampaignAsync(a.Database, campaign), c => c.Status == CampaignStatus.Sent, 120);
        Assert.Equal(total, sent.Expanded);
        var received = sink.Recipients();
        Assert.Equal(total, received.Count);
        Assert.Equal(total, received.Distinct().Count());
        var starts = CountLines(a.Output, $"Campaign {campaign} started") + CountLines(b.Output, $"Campaign {campaign} started");
        Assert.Equal(1, starts);
        var expansions = CountLines(a.Output, $"Campaign {campaign} expanded") + CountLines(b.Output, $"Campaign {campaign} expanded");
        Assert.Equal(1, expansions);
    }

    [Fact]
    public async Task KilledDuringExpansion_ThenDuringSending_Completes_NoRecipientLost_DuplicatesBoundedByInFlight()
    {
        const int total = 6000;
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await AppProcess.StartAsync(DatabaseKind.MariaDb, Settings(chunk: 50));
        var (ws, campaign) = await SeedAsync(app.Database, sink.Port, total, messagesPerSecond: 600);
        await using (var control = CampaignBuilders.ControlApp(app.Database))
            Assert.True((await control.ControlAsync(ws, c => c.SendNowAsync(campaign))).Succeeded);

        // Kill while the audience is half expanded.
        await CampaignBuilders.WaitForCampaignAsync(() => CampaignBuilders.CampaignAsync(app.Database, campaign), c => c.Expanded >= 500, 60);
        app.Kill();
        var atFirstKill = await CampaignBuilders.CampaignAsync(app.Database, campaign);
        Assert.Null(atFirstKill.ExpandedAt);
        var inFlight = await InFlightAsync(app.Database, campaign);

        // Again while sending.
        await app.RestartAsync();
        await CampaignBuilders.WaitForCampaignAsync(() => CampaignBuilders.CampaignAsync(app.Database, campaign), c => c.ExpandedAt != null, 120);
        await WaitUntil(() => sink.Recipients().Count >= total / 2, 120);
        app.Kill();
        inFlight += await InFlightAsync(app.Database, campaign);
        await app.RestartAsync();

        var sent = await CampaignBuilders.WaitForCampaignAsync(() => CampaignBuilders.CampaignAsync(app.Database, campaign), c => c.Status == CampaignStatus.Sent, 180);
        Assert.Equal(total, sent.Expanded);
        var received = sink.Recipients();
        Assert.Equal(total, received.Distinct().Count()); // nobody lost
        Assert.True(received.Count - total <= inFlight, $"{received.Count - total} duplicates, but only {inFlight} messages were in flight at the kills.");
        await using var db = DirectDb.Open(app.Database);
        Assert.Equal(total, await db.OutboundMessages.IgnoreQueryFilters().CountAsync(m => m.CampaignId == campaign));
    }

    [Fact]
    public async Task ScheduledWhileEveryInstanceWasDown_StartsWhenOneComesBack()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await AppProcess.StartAsync(DatabaseKind.MariaDb, Settings());
        var (ws, campaign) = await SeedAsync(app.Database, sink.Port, 50, messagesPerSecond: 1000);
        var at = DateTime.UtcNow.AddSeconds(4);
        app.Kill();
        await using (var control = CampaignBuilders.ControlApp(app.Database))
            Assert.True((await control.ControlAsync(ws, c => c.ScheduleAsync(campaign, at, "Europe/Berlin"))).Succeeded);
        await Task.Delay(TimeSpan.FromSeconds(10)); // its time passes while nothing runs: a misfire
        Assert.Equal(CampaignStatus.Scheduled, (await CampaignBuilders.CampaignAsync(app.Database, campaign)).Status);
        var restarted = DateTime.UtcNow;

        await app.RestartAsync();
        var sent = await CampaignBuilders.WaitForCampaignAsync(() => CampaignBuilders.CampaignAsync(app.Database, campaign), c => c.Status == CampaignStatus.Sent, 60);
        Assert.True(sent.StartedAt >= restarted, $"started {sent.StartedAt:O}, before the restart at {restarted:O}");
        Assert.Equal(50, sink.Recipients().Distinct().Count());
    }

    [Fact]
    public async Task PausedAndResumedUnderLoad_OnTwoInstances_EveryoneOnce()
    {
        const int total = 3000;
        await using var sink = await SmtpSink.StartAsync();
        await using var a = await AppProcess.StartAsync(DatabaseKind.MariaDb, Settings());
        await using var b = await AppProcess.StartOnAsync(a.Database, Settings());
        var (ws, campaign) = await SeedAsync(a.Database, sink.Port, total, messagesPerSecond: 400);
        await using var control = CampaignBuilders.ControlApp(a.Database);
        Assert.True((await control.ControlAsync(ws, c => c.SendNowAsync(campaign))).Succeeded);

        await WaitUntil(() => sink.Recipients().Count >= total / 4, 120);
        Assert.True((await control.ControlAsync(ws, c => c.PauseAsync(campaign))).Succeeded);
        await Task.Delay(2500); // each instance's sender sees the pause within a second
        var atPause = sink.Recipients().Count;
        await Task.Delay(2000);
        Assert.Equal(atPause, sink.Recipients().Count);
        Assert.True(atPause < total, "everything was sent before the pause");

        Assert.True((await control.ControlAsync(ws, c => c.ResumeAsync(campaign))).Succeeded);
        await CampaignBuilders.WaitForCampaignAsync(() => CampaignBuilders.CampaignAsync(a.Database, campaign), c => c.Status == CampaignStatus.Sent, 120);
        var received = sink.Recipients();
        Assert.Equal(total, received.Count);
        Assert.Equal(total, received.Distinct().Count());
    }

    private static async Task<(long WorkspaceId, long CampaignId)> SeedAsync(TestDatabase database, int port, int total, int messagesPerSecond)
    {
        await using var db = DirectDb.Open(database);
        var account = await OutboxBuilders.SeedSenderAsync(db, port, 0, messagesPerSecond, maxConnections: 4);
        return await CampaignBuilders.SeedCampaignAsync(db, account, total);
    }

    private static async Task<int> InFlightAsync(TestDatabase database, long campaign)
    {
        await using var db = DirectDb.Open(database);
        return await db.OutboundMessages.IgnoreQueryFilters().CountAsync(m => m.CampaignId == campaign && m.Status == MessageStatus.Sending);
    }

    private static int CountLines(string output, string text) => output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    private static async Task WaitUntil(Func<bool> condition, int timeoutSeconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold in time.");
            await Task.Delay(100);
        }
    }
}
