using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Analytics;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Analytics;

/// <summary>Rows for the rollup, dashboard and retention tests, written straight into the real tables (no producers).</summary>
internal static class AnalyticsBuilders
{
    public static readonly Dictionary<string, string?> NoJobs = new() { ["Sending:WorkersEnabled"] = "false", ["Scheduling:RunJobs"] = "false" };

    public static async Task<long> CampaignAsync(this SendCraftApp app, long workspace, string name, DateTime? finishedAt = null) =>
        await app.QueryAsync(async db =>
        {
            var c = new Campaign { WorkspaceId = workspace, Name = name, Status = finishedAt is null ? CampaignStatus.Sending : CampaignStatus.Sent, FinishedAt = finishedAt };
            db.Campaigns.Add(c);
            await db.SaveChangesAsync();
            return c.Id;
        });

    public static async Task<long> ContentAsync(this SendCraftApp app, long workspace, DateTime createdAt, bool withAttachment = false) =>
        await app.QueryAsync(async db =>
        {
            var c = new MessageContent
            {
                WorkspaceId = workspace, FromAddress = "news@sender.test", ToHeader = "x@rcpt.test", Subject = "Hello",
                HtmlBody = "<p>Hello</p>", TextBody = "Hello", CreatedAt = createdAt,
            };
            if (withAttachment) c.Attachments.Add(new MessageAttachment { WorkspaceId = workspace, FileName = "a.txt", Data = [1, 2, 3] });
            db.MessageContents.Add(c);
            await db.SaveChangesAsync();
            return c.Id;
        });

    public static async Task<long> MessageAsync(this SendCraftApp app, long workspace, long account, long content, long? campaign = null,
        MessageStatus status = MessageStatus.Sent, bool isTest = false, string? sentHeaders = "DKIM-Signature: v=1", string? recipient = null) =>
        await app.QueryAsync(async db =>
        {
            var m = new OutboundMessage
            {
                WorkspaceId = workspace, SmtpAccountId = account, ContentId = content, CampaignId = campaign, IsTest = isTest,
                Recipient = recipient ?? $"r{Guid.NewGuid():N}@rcpt.test", MessageId = Guid.NewGuid().ToString("N") + "@sender.test", Status = status,
                DueAt = DateTime.UtcNow, SentHeaders = sentHeaders,
            };
            db.OutboundMessages.Add(m);
            await db.SaveChangesAsync();
            return m.Id;
        });

    public static Task<long> AttemptAsync(this SendCraftApp app, long workspace, long message, AttemptOutcome outcome, DateTime finishedAt, long? id = null) =>
        app.QueryAsync(async db =>
        {
            var a = new MessageAttempt { WorkspaceId = workspace, MessageId = message, Outcome = outcome, StartedAt = finishedAt.AddSeconds(-1), FinishedAt = finishedAt };
            if (id is { } explicitId) a.Id = explicitId;
            db.MessageAttempts.Add(a);
            await db.SaveChangesAsync();
            return a.Id;
        });

    public static Task<long> EventAsync(this SendCraftApp app, long workspace, long message, long? campaign, MessageEventType type, DateTime at,
        bool machine = false, bool unique = false) =>
        app.QueryAsync(async db =>
        {
            var e = new MessageEvent { WorkspaceId = workspace, MessageId = message, CampaignId = campaign, Type = type, OccurredAt = at, IsMachine = machine, IsUnique = unique };
            db.MessageEvents.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        });

    /// <summary>Runs the rollup job once, the way Quartz would.</summary>
    public static async Task<(long Attempts, long Events)> RollUpAsync(this SendCraftApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RollupJob>().RunAsync(CancellationToken.None);
    }

    /// <summary>Two runs with the settle time between them: everything committed before the first is rolled up by the second.</summary>
    public static async Task<(long Attempts, long Events)> RollUpSettledAsync(this SendCraftApp app)
    {
        var first = await app.RollUpAsync();
        app.Clock.Advance(new AnalyticsOptions().RollupSettle + TimeSpan.FromSeconds(1));
        var second = await app.RollUpAsync();
        return (first.Attempts + second.Attempts, first.Events + second.Events);
    }

    public static Task<List<MessageStatsHourly>> HourlyAsync(this SendCraftApp app) =>
        app.QueryAsync(db => db.MessageStatsHourly.IgnoreQueryFilters().AsNoTracking().OrderBy(s => s.BucketStart).ThenBy(s => s.CampaignId).ThenBy(s => s.SmtpAccountId).ToListAsync());

    public static Task<List<MessageStatsDaily>> DailyAsync(this SendCraftApp app) =>
        app.QueryAsync(db => db.MessageStatsDaily.IgnoreQueryFilters().AsNoTracking().OrderBy(s => s.BucketStart).ThenBy(s => s.CampaignId).ThenBy(s => s.SmtpAccountId).ToListAsync());
}
