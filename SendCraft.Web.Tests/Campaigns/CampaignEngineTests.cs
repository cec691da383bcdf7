using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Campaigns;

/// <summary>Campaigns through Quartz, expansion and the real outbox workers into Postfix's smtp-sink, on each provider.</summary>
public abstract class CampaignEngineTests(DatabaseKind kind)
{
    private static readonly Dictionary<string, string?> Fast = new()
    {
        ["Sending:PollInterval"] = "00:00:00.200",
        ["Campaigns:MonitorInterval"] = "00:00:00.300",
        ["Campaigns:ExpansionChunkSize"] = "7", // several chunks even for a small audience
        ["Sending:RetryBaseDelay"] = "00:00:00.200", // a deferral (an account switched off) is retried soon
        ["Sending:RetryMaxDelay"] = "00:00:01",
    };

    [Fact]
    public async Task SendNow_MailsEachAudienceContactOnce_Personalized_SkippingByReason()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var (ws, account, _) = await app.CreateSenderAsync(sink.Port);
        var news = await app.AddListAsync(ws, "News");
        var offers = await app.AddListAsync(ws, "Offers");
        var vip = await app.AddListAsync(ws, "Exclude me");
        var ids = new List<long>();
        for (var i = 0; i < 20; i++)
            ids.Add((await app.AddContactAsync(ws, $"c{i}@rcpt.test", $"Name{i} Last", i % 2 == 0 ? new() { ["city"] = $"City{i}" } : null)).Id);
        var gone = await app.AddContactAsync(ws, "gone@rcpt.test", "Gone", status: ContactStatus.Unsubscribed);
        var blocked = await app.AddContactAsync(ws, "blocked@rcpt.test", "Blocked");
        await app.QueryAsync(async db => { db.Suppressions.Add(new Suppression { WorkspaceId = ws, Email = "blocked@rcpt.test" }); return await db.SaveChangesAsync(); });
        await app.AddToListAsync(ws, news.Id, [.. ids.Take(15), gone.Id, blocked.Id]);
        await app.AddToListAsync(ws, offers.Id, [.. ids.Skip(10)]); // 10..14 in both lists
        await app.AddToListAsync(ws, vip.Id, ids[3], ids[17]);

        var campaign = await app.CreateCampaignAsync(ws, account, [news.Id, offers.Id], [vip.Id]);
        var result = await app.ControlAsync(ws, c => c.SendNowAsync(campaign));
        Assert.True(result.Succeeded, string.Join("; ", result.Problems));

        var done = await app.WaitForCampaignAsync(campaign, c => c.Status == CampaignStatus.Sent);
        var expected = ids.Where((_, i) => i != 3 && i != 17).Select((_, n) => n).Count();
        Assert.Equal(18, expected);
        Assert.Equal(18, done.Expanded);
        Assert.Equal(1, done.SkippedUnsubscribed);
        Assert.Equal(1, done.SkippedSuppressed);
        Assert.Equal(8, done.MissingVariables); // odd contacts (3 and 17 excluded) have no city: rendered as the default
        var recipients = sink.Recipients();
        Assert.Equal(18, recipients.Count);
        Assert.Equal(18, recipients.Distinct().Count());
        Assert.DoesNotContain("c3@rcpt.test", recipients);
        Assert.DoesNotContain("gone@rcpt.test", recipients);
        var dump = sink.Dump();
        Assert.Contains("Subject: Hello Name0", dump);
        Assert.Contains("Subject: Hello Name19", dump);
        Assert.Contains("City2", dump);
        Assert.Contains("nowhere", dump);
        var rows = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.CampaignId == campaign).ToListAsync());
        Assert.All(rows, r => Assert.Equal(MessageStatus.Sent, r.Status));
        Assert.Equal(18, rows.Select(r => r.ContactId).Distinct().Count());
    }

    [Fact]
    public async Task Pause_StopsNewSends_Resume_FinishesTheRest_Cancel_SendsNothingMore()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var (ws, account, _) = await app.CreateSenderAsync(sink.Port, messagesPerSecond: 20, maxConnections: 1);
        var list = await app.AddListAsync(ws, "All");
        await app.AddContactsAsync(ws, Enumerable.Range(0, 120).Select(i => ($"p{i}@rcpt.test", $"P{i}")), list.Id);

        var campaign = await app.CreateCampaignAsync(ws, account, [list.Id]);
        Assert.True((await app.ControlAsync(ws, c => c.SendNowAsync(campaign))).Succeeded);
        await WaitUntil(() => sink.Recipients().Count >= 10);
        Assert.True((await app.ControlAsync(ws, c => c.PauseAsync(campaign))).Succeeded);
        await Task.Delay(1500); // the batch on the wire finishes
        var atPause = sink.Recipients().Count;
        await Task.Delay(2000);
        Assert.Equal(atPause, sink.Recipients().Count);
        Assert.True(atPause < 120, $"all {atPause} were sent before the pause took effect");
        Assert.Equal(CampaignStatus.Paused, (await app.CampaignAsync(campaign)).Status);

        Assert.True((await app.ControlAsync(ws, c => c.ResumeAsync(campaign))).Succeeded);
        await app.WaitForCampaignAsync(campaign, c => c.Status == CampaignStatus.Sent, 60);
        Assert.Equal(120, sink.Recipients().Count);
        Assert.Equal(120, sink.Recipients().Distinct().Count());

        // A second campaign cancelled mid-way: what was waiting is cancelled, never sent.
        var second = await app.CreateCampaignAsync(ws, account, [list.Id], name: "Second");
        Assert.True((await app.ControlAsync(ws, c => c.SendNowAsync(second))).Succeeded);
        await WaitUntil(() => sink.Recipients().Count >= 130);
        Assert.True((await app.ControlAsync(ws, c => c.CancelAsync(second))).Succeeded);
        await Task.Delay(2500);
        var afterCancel = sink.Recipients().Count;
        await Task.Delay(1500);
        Assert.Equal(afterCancel, sink.Recipients().Count);
        var rows = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.CampaignId == second).ToListAsync());
        Assert.Equal(afterCancel - 120, rows.Count(r => r.Status == MessageStatus.Sent));
        Assert.All(rows, r => Assert.Contains(r.Status, new[] { MessageStatus.Sent, MessageStatus.Cancelled }));
        Assert.Equal(CampaignStatus.Cancelled, (await app.CampaignAsync(second)).Status);
    }

    [Fact]
    public async Task Scheduled_StartsAtItsTime_Unscheduled_NeverStarts_AndBadRequestsAreRefused()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var (ws, account, _) = await app.CreateSenderAsync(sink.Port);
        var list = await app.AddListAsync(ws, "All");
        var empty = await app.AddListAsync(ws, "Empty");
        await app.AddContactsAsync(ws, Enumerable.Range(0, 5).Select(i => ($"s{i}@rcpt.test", $"S{i}")), list.Id);
        var now = DateTime.UtcNow;

        var past = await app.CreateCampaignAsync(ws, account, [list.Id], name: "Past");
        var refused = await app.ControlAsync(ws, c => c.ScheduleAsync(past, now.AddMinutes(-5), "Europe/Paris"));
        Assert.Contains(refused.Problems, p => p.Contains("passed"));
        var nobody = await app.CreateCampaignAsync(ws, account, [empty.Id], name: "Nobody");
        Assert.Contains((await app.ControlAsync(ws, c => c.SendNowAsync(nobody))).Problems, p => p.Contains("audience is empty"));
        var broken = await app.CreateCampaignAsync(ws, account, [list.Id], subject: "Hi {{ name", name: "Broken");
        Assert.Contains((await app.ControlAsync(ws, c => c.SendNowAsync(broken))).Problems, p => p.Contains("Template error") && p.Contains("line 1"));

        var later = await app.CreateCampaignAsync(ws, account, [list.Id], name: "Later");
        var unscheduled = await app.CreateCampaignAsync(ws, account, [list.Id], name: "Unscheduled");
        Assert.True((await app.ControlAsync(ws, c => c.ScheduleAsync(later, DateTime.UtcNow.AddSeconds(3), "Europe/Paris"))).Succeeded);
        Assert.True((await app.ControlAsync(ws, c => c.ScheduleAsync(unscheduled, DateTime.UtcNow.AddSeconds(3), null))).Succeeded);
        Assert.True((await app.ControlAsync(ws, c => c.UnscheduleAsync(unscheduled))).Succeeded);
        Assert.Equal(CampaignStatus.Scheduled, (await app.CampaignAsync(later)).Status);

        var sent = await app.WaitForCampaignAsync(later, c => c.Status == CampaignStatus.Sent, 60);
        Assert.True(sent.StartedAt >= now.AddSeconds(2), $"started at {sent.StartedAt:O}, scheduled for {now.AddSeconds(3):O}");
        Assert.Equal(5, sink.Recipients().Count);
        await Task.Delay(1000);
        Assert.Equal(CampaignStatus.Draft, (await app.CampaignAsync(unscheduled)).Status);
        Assert.Equal(5, sink.Recipients().Count);
    }

    [Fact]
    public async Task CampaignRate_SpacesItsMessages_AndAnAccountDisabledMidway_PausesTheCampaign_WithANotification()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        await app.SetUpOwnerAsync(); // a member to notify
        var ws = await app.WorkspaceIdAsync("Acme");
        var (_, account, _) = await app.CreateSenderAsync(sink.Port, inWorkspace: ws);
        var list = await app.AddListAsync(ws, "All");
        await app.AddContactsAsync(ws, Enumerable.Range(0, 40).Select(i => ($"r{i}@rcpt.test", $"R{i}")), list.Id);

        // 600 a minute: one every 100 ms, whatever the account (10,000 a second) would allow.
        var campaign = await app.CreateCampaignAsync(ws, account, [list.Id], ratePerMinute: 600);
        Assert.True((await app.ControlAsync(ws, c => c.SendNowAsync(campaign))).Succeeded);
        await WaitUntil(() => sink.Recipients().Count >= 5);
        var started = DateTime.UtcNow;
        await WaitUntil(() => sink.Recipients().Count >= 15);
        var tenMore = DateTime.UtcNow - started;
        // Nominally 1,000 ms; claims come in polls, so allow for that (unpaced, the ten go out within a few milliseconds).
        Assert.True(tenMore >= TimeSpan.FromMilliseconds(500), $"10 messages took {tenMore.TotalMilliseconds:N0} ms at 10 a second");

        // The account is switched off: the monitor pauses the campaign, says why, and tells the members.
        await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().Where(a => a.Id == account)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.IsActive, false)));
        var paused = await app.WaitForCampaignAsync(campaign, c => c.Status == CampaignStatus.Paused, 30);
        Assert.Contains("deactivated", paused.StatusReason);
        // The notification follows the pause (same monitor pass, just after it).
        for (var i = 0; i < 50 && !await app.QueryAsync(db => db.Notifications.IgnoreQueryFilters().AnyAsync(n => n.WorkspaceId == ws && n.Title.StartsWith("Campaign paused"))); i++)
            await Task.Delay(100);
        Assert.True(await app.QueryAsync(db => db.Notifications.IgnoreQueryFilters().AnyAsync(n => n.WorkspaceId == ws && n.Title.StartsWith("Campaign paused"))));
        var rows = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.CampaignId == campaign).ToListAsync());
        Assert.DoesNotContain(rows, r => r.Status == MessageStatus.Failed); // nothing lost: the rest waits, paused

        await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().Where(a => a.Id == account)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.IsActive, true)));
        Assert.True((await app.ControlAsync(ws, c => c.ResumeAsync(campaign))).Succeeded);
        await app.WaitForCampaignAsync(campaign, c => c.Status == CampaignStatus.Sent, 60);
        Assert.Equal(40, sink.Recipients().Distinct().Count());
        Assert.Equal(40, sink.Recipients().Count);
    }

    private static async Task WaitUntil(Func<bool> condition, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold in time.");
            await Task.Delay(50);
        }
    }
}

public sealed class CampaignEngineTests_Sqlite() : CampaignEngineTests(DatabaseKind.Sqlite);
public sealed class CampaignEngineTests_MariaDb() : CampaignEngineTests(DatabaseKind.MariaDb);
