using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Analytics;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Analytics;

/// <summary>The retention job (Analytics/RetentionJob.cs): what it purges, what it keeps, and the detail page afterwards.</summary>
public abstract class RetentionJobTests(DatabaseKind kind)
{
    [Fact]
    public async Task Retention_PurgesOldFinishedBodies_KeepsRecentUnfinishedAndTheLog()
    {
        await using var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?>(AnalyticsBuilders.NoJobs) { ["Retention:BatchSize"] = "2" });
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var ws = await app.WorkspaceIdAsync("Acme");
        var (_, account, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort(), inWorkspace: ws);
        var now = DateTime.UtcNow;
        var old = now.AddDays(-31);

        // Purged: old, every message final (sent, failed, cancelled), attachments too; three of them, more than a batch.
        var oldDone = await app.ContentAsync(ws, old, withAttachment: true);
        var sent = await app.MessageAsync(ws, account, oldDone, status: MessageStatus.Sent);
        var failed = await app.MessageAsync(ws, account, oldDone, status: MessageStatus.Failed);
        var oldDone2 = await app.ContentAsync(ws, old);
        await app.MessageAsync(ws, account, oldDone2, status: MessageStatus.Cancelled);
        var oldDone3 = await app.ContentAsync(ws, old);
        await app.MessageAsync(ws, account, oldDone3, status: MessageStatus.Bounced);
        // Kept: a message still waiting to be retried; a recent content; an unfinished campaign's frozen content.
        var oldWaiting = await app.ContentAsync(ws, old);
        await app.MessageAsync(ws, account, oldWaiting, status: MessageStatus.Sent);
        await app.MessageAsync(ws, account, oldWaiting, status: MessageStatus.Deferred);
        var recent = await app.ContentAsync(ws, now.AddDays(-29));
        var recentMessage = await app.MessageAsync(ws, account, recent, status: MessageStatus.Sent);
        var campaignContent = await app.ContentAsync(ws, old);
        var campaign = await app.CampaignAsync(ws, "Still going");
        await app.QueryAsync(db => db.Campaigns.IgnoreQueryFilters().Where(c => c.Id == campaign).ExecuteUpdateAsync(s => s.SetProperty(c => c.ContentId, campaignContent)));
        await app.AttemptAsync(ws, sent, AttemptOutcome.Sent, old);
        await app.EventAsync(ws, sent, null, MessageEventType.Open, old);

        await using (var scope = app.Services.CreateAsyncScope())
            Assert.Equal(3, await scope.ServiceProvider.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None));

        var contents = await app.QueryAsync(db => db.MessageContents.IgnoreQueryFilters().AsNoTracking().Include(c => c.Attachments).ToDictionaryAsync(c => c.Id));
        foreach (var id in new[] { oldDone, oldDone2, oldDone3 })
        {
            Assert.Null(contents[id].HtmlBody);
            Assert.Null(contents[id].TextBody);
            Assert.NotNull(contents[id].BodyPurgedAt);
            Assert.Empty(contents[id].Attachments);
        }
        foreach (var id in new[] { oldWaiting, recent, campaignContent })
        {
            Assert.Equal("<p>Hello</p>", contents[id].HtmlBody);
            Assert.Null(contents[id].BodyPurgedAt);
        }
        var headers = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().ToDictionaryAsync(m => m.Id, m => m.SentHeaders));
        Assert.Null(headers[sent]);
        Assert.Null(headers[failed]);
        Assert.NotNull(headers[recentMessage]);
        // The log stays: messages, attempts, events.
        Assert.Equal(7, headers.Count);
        Assert.Equal(1, await app.QueryAsync(db => db.MessageAttempts.IgnoreQueryFilters().CountAsync()));
        Assert.Equal(1, await app.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().CountAsync()));

        // A second run has nothing left to do.
        await using (var scope = app.Services.CreateAsyncScope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None));

        // The detail page says so instead of breaking, and the failed message cannot be retried with nothing to send.
        var detail = await owner.GetPageAsync($"/messages/{failed}");
        Assert.Contains("Body purged after 30 days", detail.QuerySelector("#body-purged")!.TextContent);
        Assert.Null(detail.QuerySelector("#html-body"));
        Assert.Null(detail.QuerySelector("#retry-message"));
        await owner.PostWithTokenAsync($"/messages/{failed}?handler=Retry", []);
        Assert.Equal(MessageStatus.Failed, await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.Id == failed).Select(m => m.Status).SingleAsync()));
        var kept = await owner.GetPageAsync($"/messages/{recentMessage}");
        Assert.Null(kept.QuerySelector("#body-purged"));
        Assert.NotNull(kept.QuerySelector("#html-body"));
    }
}

public sealed class RetentionJobTests_Sqlite() : RetentionJobTests(DatabaseKind.Sqlite);
public sealed class RetentionJobTests_MariaDb() : RetentionJobTests(DatabaseKind.MariaDb);
