using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Sending;

/// <summary>
/// The promise of the outbox: kill the process (SIGKILL) while thousands of messages are in flight, start it
/// again, and every message is delivered at least once, with duplicates bounded by what was in flight.
/// </summary>
public abstract class CrashRecoveryTests(DatabaseKind kind)
{
    private const int Total = 3000;

    [Fact]
    public async Task KilledWhileSending_AfterRestartEveryMessageIsAccepted_DuplicatesBoundedByInFlight()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await AppProcess.StartAsync(kind, new Dictionary<string, string>
        {
            ["Sending:Lease"] = "00:00:03",         // a dead instance's rows come back after 3 s
            ["Sending:PollInterval"] = "00:00:00.200",
            ["Sending:BatchSize"] = "100",
        });
        long accountId;
        await using (var db = DirectDb.Open(app.Database))
        {
            accountId = await OutboxBuilders.SeedSenderAsync(db, sink.Port, Total, messagesPerSecond: 400, maxConnections: 2);
        }

        // Let it get going, then pull the plug in the middle of the run.
        await OutboxBuilders.WaitForMessagesAsync(app.Database, rows => rows.Count(r => r.Status == MessageStatus.Sent) >= Total / 4, TimeSpan.FromSeconds(90));
        app.Kill();
        int inFlight;
        await using (var db = DirectDb.Open(app.Database))
        {
            inFlight = await db.OutboundMessages.IgnoreQueryFilters().CountAsync(m => m.Status == MessageStatus.Sending);
        }
        Assert.True(inFlight > 0 || sink.Recipients().Count < Total, "The kill came too late to test anything.");

        await app.RestartAsync();
        var final = await OutboxBuilders.WaitForMessagesAsync(app.Database, rows => rows.All(r => r.Status == MessageStatus.Sent), TimeSpan.FromSeconds(120));

        var received = sink.Recipients();
        var expected = final.Select(r => r.Recipient).ToHashSet();
        Assert.True(expected.SetEquals(received.ToHashSet()), "Some messages were never accepted by the server.");
        var duplicates = received.Count - Total;
        Assert.True(duplicates <= inFlight, $"{duplicates} duplicates, but only {inFlight} messages were in flight at the kill.");
        Assert.True(accountId > 0);
    }
}

public sealed class CrashRecoveryTests_Sqlite() : CrashRecoveryTests(DatabaseKind.Sqlite);
public sealed class CrashRecoveryTests_MariaDb() : CrashRecoveryTests(DatabaseKind.MariaDb);
