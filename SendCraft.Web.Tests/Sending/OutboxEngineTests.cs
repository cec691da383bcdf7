using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Sending;

/// <summary>The outbox and its workers against Postfix's smtp-sink, on each database provider.</summary>
public abstract class OutboxEngineTests(DatabaseKind kind)
{
    private static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Sending:RetryBaseDelay"] = "00:00:00.200",
        ["Sending:RetryMaxDelay"] = "00:00:01",
        ["Sending:PollInterval"] = "00:00:00.200",
        ["Sending:MaxAttempts"] = "3",
    };

    [Fact]
    public async Task QueuedMessage_ToSeveralRecipients_IsSentOncePerRecipient_WithAttemptAndDkimRecorded()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind);
        var (workspace, account, _) = await app.CreateSenderAsync(sink.Port);

        var rows = await app.QueueAsync(workspace, account, ["Ann <ann@rcpt.test>", "bob@rcpt.test"], cc: ["Cy@Rcpt.Test"], bcc: ["hidden@rcpt.test"]);
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(MessageStatus.Queued, r.Status));

        var done = await app.WaitForMessagesAsync(all => all.All(m => m.Status == MessageStatus.Sent));
        Assert.Equal(["ann@rcpt.test", "bob@rcpt.test", "cy@rcpt.test", "hidden@rcpt.test"], sink.Recipients().Order());
        Assert.Equal(done.Select(m => m.MessageId).Order(), sink.MessageIds().Order());
        var messages = await app.MessagesAsync();
        Assert.All(messages, m =>
        {
            Assert.Equal(1, m.Attempts);
            Assert.Equal(AttemptOutcome.Sent, Assert.Single(m.AttemptLog).Outcome);
            Assert.Equal(250, m.LastSmtpCode);
            Assert.NotNull(m.SentAt);
            Assert.Contains("DKIM-Signature:", m.SentHeaders);
            Assert.Contains("d=sender.test", m.SentHeaders);
            Assert.DoesNotContain("hidden@rcpt.test", m.SentHeaders); // Bcc is envelope only
        });
    }

    [Fact]
    public async Task ThousandsOfQueuedMessages_AreAllSent_EachExactlyOnce()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind);
        var (workspace, account, _) = await app.CreateSenderAsync(sink.Port, maxConnections: 4);
        await app.QueueBulkAsync(workspace, account, 3000);

        await app.WaitForMessagesAsync(all => all.Count == 3000 && all.All(m => m.Status == MessageStatus.Sent), TimeSpan.FromSeconds(120));
        var received = sink.Recipients();
        Assert.Equal(3000, received.Count);
        Assert.Equal(3000, received.Distinct().Count());
    }

    [Fact]
    public async Task SuppressedRecipient_IsRecordedAsSuppressed_AndNeverContacted()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind);
        var (workspace, account, _) = await app.CreateSenderAsync(sink.Port);
        await app.QueryAsync(async db =>
        {
            db.Suppressions.Add(new Suppression { WorkspaceId = workspace, Email = "blocked@rcpt.test", Reason = SuppressionReason.Manual });
            return await db.SaveChangesAsync();
        });

        await app.QueueAsync(workspace, account, ["ok@rcpt.test", "Blocked@rcpt.test"]);
        var rows = await app.WaitForMessagesAsync(all => all.All(m => m.Status is MessageStatus.Sent or MessageStatus.Suppressed));
        Assert.Equal(MessageStatus.Suppressed, rows.Single(r => r.Recipient == "blocked@rcpt.test").Status);
        Assert.Equal(["ok@rcpt.test"], sink.Recipients());
    }

    [Fact]
    public async Task SuppressionAddedAfterQueueing_StopsTheSend()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?> { ["Sending:WorkersEnabled"] = "false" });
        var (workspace, account, _) = await app.CreateSenderAsync(sink.Port);
        await app.QueueAsync(workspace, account, ["late@rcpt.test"]);
        await app.QueryAsync(async db =>
        {
            db.Suppressions.Add(new Suppression { WorkspaceId = workspace, Email = "late@rcpt.test", Reason = SuppressionReason.Complaint });
            return await db.SaveChangesAsync();
        });

        await using var worker = SendCraftApp.StartAnotherInstance(app, new Dictionary<string, string?> { ["Sending:PollInterval"] = "00:00:00.200" });
        var rows = await worker.WaitForMessagesAsync(all => all.Single().Status is not (MessageStatus.Queued or MessageStatus.Sending));
        Assert.Equal(MessageStatus.Suppressed, rows.Single().Status);
        Assert.Empty(sink.Recipients());
    }

    [Fact]
    public async Task UnreachableServer_DefersWithBackoff_ThenFailsAfterMaxAttempts()
    {
        var closedPort = RepoPaths.FreeLoopbackPort(); // nothing listens here
        await using var app = await SendCraftApp.StartAsync(kind, FastRetries);
        var (workspace, account, _) = await app.CreateSenderAsync(closedPort);
        await app.QueueAsync(workspace, account, ["nobody@rcpt.test"]);

        var rows = await app.WaitForMessagesAsync(all => all.Single().Status == MessageStatus.Failed, TimeSpan.FromSeconds(30));
        var message = (await app.MessagesAsync()).Single();
        Assert.Equal(3, message.Attempts);
        Assert.Equal([AttemptOutcome.Deferred, AttemptOutcome.Deferred, AttemptOutcome.Failed], message.AttemptLog.OrderBy(a => a.Id).Select(a => a.Outcome));
        Assert.Contains("Gave up after 3 attempts", rows.Single().LastSmtpResponse);
        Assert.Contains("Connection problem", rows.Single().LastSmtpResponse);
        // Backoff: each retry waited at least the jittered base delay (0.2 s · 2^(n−1) · 0.8).
        var attempts = message.AttemptLog.OrderBy(a => a.Id).ToList();
        Assert.True(attempts[1].StartedAt - attempts[0].FinishedAt >= TimeSpan.FromMilliseconds(150));
        Assert.True(attempts[2].StartedAt - attempts[1].FinishedAt >= TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task RowLeasedByACrashedWorker_IsClaimedAgainWhenTheLeaseExpires()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?> { ["Sending:PollInterval"] = "00:00:00.200" });
        var (workspace, account, _) = await app.CreateSenderAsync(sink.Port);
        await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().ExecuteUpdateAsync(s => s.SetProperty(a => a.IsActive, false)));
        var queued = await app.QueueAsync(workspace, account, ["orphan@rcpt.test"]);
        // As a crashed instance would leave it: Sending, leased by someone else, lease ending in a moment. Only while
        // this instance's worker holds no lease on it (it may be deferring it for the inactive account right now):
        // a live lease is never taken over, so overwriting one would test a state that cannot happen.
        var taken = 0;
        for (var i = 0; i < 100 && taken == 0; i++)
        {
            var leaseEnd = DateTime.UtcNow.AddSeconds(1);
            taken = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.LeaseOwner == null).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MessageStatus.Sending).SetProperty(m => m.LeaseOwner, "crashed-instance").SetProperty(m => m.DueAt, leaseEnd)));
            if (taken == 0) await Task.Delay(50);
        }
        Assert.Equal(1, taken);
        await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().ExecuteUpdateAsync(s => s.SetProperty(a => a.IsActive, true)));

        await Task.Delay(500);
        Assert.Empty(sink.Recipients()); // not before the lease ends
        var rows = await app.WaitForMessagesAsync(all => all.Single().Status == MessageStatus.Sent);
        Assert.Equal(queued.Single().Id, rows.Single().Id);
        Assert.Equal(["orphan@rcpt.test"], sink.Recipients());
    }

    [Fact]
    public async Task SlowAccount_WhoseBatchesOutlastTheLease_StillSendsEachMessageOnce()
    {
        // 2 messages a second, 4 a batch: each batch takes 2 s, twice the 1 s lease, so the batch claimed ahead has
        // run out of lease by the time its turn comes, and the claim after it must not take those rows again.
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Sending:Lease"] = "00:00:01", ["Sending:BatchSize"] = "4", ["Sending:PollInterval"] = "00:00:00.200",
        });
        var (workspace, account, _) = await app.CreateSenderAsync(sink.Port, maxConnections: 1, messagesPerSecond: 2);
        await app.QueueBulkAsync(workspace, account, 8);

        await app.WaitForMessagesAsync(all => all.Count == 8 && all.All(m => m.Status == MessageStatus.Sent), TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(4)); // a second copy of a batch would arrive within one batch's time
        var received = sink.Recipients();
        Assert.Equal(8, received.Distinct().Count());
        Assert.Equal(8, received.Count);
    }

    [Fact]
    public async Task RecordOfAWorkerWhoseLeaseWasTakenOver_LeavesThatRowToItsNewOwner()
    {
        // Workers off: this test is the worker, calling the store the way OutboxWorker does.
        await using var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?> { ["Sending:WorkersEnabled"] = "false" });
        var (workspace, account, _) = await app.CreateSenderAsync(port: 9);
        await app.QueueAsync(workspace, account, ["kept@rcpt.test", "taken@rcpt.test", "postponed@rcpt.test"]);
        await using var scope = app.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<SendCraft.Web.Sending.OutboxStore>();
        var batch = await store.ClaimAsync(10, CancellationToken.None);
        Assert.Equal(3, batch.Count);

        // Meanwhile our lease ran out and another instance claimed one row.
        var taken = batch.Single(m => m.Recipient == "taken@rcpt.test");
        await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.Id == taken.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseOwner, "another-instance")));

        var now = DateTime.UtcNow;
        var sent = SendCraft.Web.Sending.SmtpOutcome.Sent("2.0.0 Ok: queued as ABC123");
        await store.RecordAsync(
        [
            new(batch.Single(m => m.Recipient == "kept@rcpt.test"), sent, now, now, "Subject: kept"),
            new(taken, sent, now, now, "Subject: taken"),
            new(batch.Single(m => m.Recipient == "postponed@rcpt.test"), new(SendCraft.Web.Sending.OutcomeKind.Deferred, null, "Daily limit"), now, now, null)
                { PostponeUntil = now.Date.AddDays(1) },
        ], CancellationToken.None);

        var rows = (await app.MessagesAsync()).ToDictionary(m => m.Recipient);
        Assert.Equal(MessageStatus.Sent, rows["kept@rcpt.test"].Status);
        Assert.Equal("2.0.0 Ok: queued as ABC123", rows["kept@rcpt.test"].LastSmtpResponse);
        Assert.Equal("Subject: kept", rows["kept@rcpt.test"].SentHeaders);
        Assert.Single(rows["kept@rcpt.test"].AttemptLog);
        Assert.Equal(MessageStatus.Sending, rows["taken@rcpt.test"].Status);
        Assert.Equal("another-instance", rows["taken@rcpt.test"].LeaseOwner);
        Assert.Empty(rows["taken@rcpt.test"].AttemptLog);
        Assert.Equal(MessageStatus.Deferred, rows["postponed@rcpt.test"].Status);
        Assert.Equal(0, rows["postponed@rcpt.test"].Attempts);
        Assert.Empty(rows["postponed@rcpt.test"].AttemptLog);
    }

    [Fact]
    public async Task DailyLimit_PostponesTheRestToTomorrow_WithoutCountingAnAttempt()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind);
        var (workspace, account, _) = await app.CreateSenderAsync(sink.Port, dailyLimit: 5);
        await app.QueueBulkAsync(workspace, account, 8);

        var rows = await app.WaitForMessagesAsync(all => all.Count(m => m.Status == MessageStatus.Sent) == 5 && all.Count(m => m.Status == MessageStatus.Deferred) == 3);
        Assert.Equal(5, sink.Recipients().Count);
        Assert.All(rows.Where(m => m.Status == MessageStatus.Deferred), m =>
        {
            Assert.Equal(0, m.Attempts);
            Assert.Equal(DateTime.UtcNow.Date.AddDays(1), m.DueAt);
            Assert.Contains("Daily limit of 5", m.LastSmtpResponse);
        });
    }

    [Fact]
    public async Task CancelledMessage_IsNeverSent_AndAFailedOneCanBeRetried()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?> { ["Sending:WorkersEnabled"] = "false" });
        var (workspace, account, _) = await app.CreateSenderAsync(sink.Port);
        var cancelled = (await app.QueueAsync(workspace, account, ["cancel@rcpt.test"])).Single();
        var failed = (await app.QueueAsync(workspace, account, ["retry@rcpt.test"])).Single();
        await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.Id == failed.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Failed).SetProperty(m => m.Attempts, 8)));

        await using (var scope = app.Services.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspace);
            var outbox = scope.ServiceProvider.GetRequiredService<SendCraft.Web.Sending.Outbox>();
            Assert.True(await outbox.CancelAsync(cancelled.Id));
            Assert.False(await outbox.CancelAsync(failed.Id)); // only queued or deferred rows can be cancelled
            Assert.True(await outbox.RetryAsync(failed.Id));
        }

        await using var worker = SendCraftApp.StartAnotherInstance(app, new Dictionary<string, string?> { ["Sending:PollInterval"] = "00:00:00.200" });
        var rows = await worker.WaitForMessagesAsync(all => all.Single(m => m.Id == failed.Id).Status == MessageStatus.Sent);
        Assert.Equal(MessageStatus.Cancelled, rows.Single(m => m.Id == cancelled.Id).Status);
        Assert.Equal(["retry@rcpt.test"], sink.Recipients());
    }
}

public sealed class OutboxEngineTests_Sqlite() : OutboxEngineTests(DatabaseKind.Sqlite);
public sealed class OutboxEngineTests_MariaDb() : OutboxEngineTests(DatabaseKind.MariaDb);
