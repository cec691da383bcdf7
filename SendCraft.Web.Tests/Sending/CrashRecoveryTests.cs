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
            accountId = await SeedAsync(db, sink.Port, Total);
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

    private static async Task<long> SeedAsync(SendCraftDbContext db, int port, int count)
    {
        var workspace = new Workspace { Name = "Crash" };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        var domain = new SendingDomain { WorkspaceId = workspace.Id, Name = "crash.test" };
        db.SendingDomains.Add(domain);
        await db.SaveChangesAsync();
        // A rate limit stretches the run to several seconds so the kill lands mid-flight.
        var account = new SmtpAccount
        {
            WorkspaceId = workspace.Id, DomainId = domain.Id, FromEmail = "news@crash.test", Host = "127.0.0.1", Port = port,
            Security = SmtpSecurity.None, MaxConnections = 2, MessagesPerSecond = 400,
        };
        db.SmtpAccounts.Add(account);
        var content = new MessageContent
        {
            WorkspaceId = workspace.Id, FromAddress = account.FromEmail, ToHeader = "list@rcpt.test", Subject = "Crash test", TextBody = "Hello",
        };
        db.MessageContents.Add(content);
        await db.SaveChangesAsync();
        var now = DateTime.UtcNow;
        db.OutboundMessages.AddRange(Enumerable.Range(0, count).Select(i => new OutboundMessage
        {
            WorkspaceId = workspace.Id, SmtpAccountId = account.Id, ContentId = content.Id, Recipient = $"user{i}@rcpt.test",
            MessageId = MimeBuilder.NewMessageId(account.FromEmail), DueAt = now, CreatedAt = now,
        }));
        await db.SaveChangesAsync();
        return account.Id;
    }
}

public sealed class CrashRecoveryTests_Sqlite() : CrashRecoveryTests(DatabaseKind.Sqlite);
public sealed class CrashRecoveryTests_MariaDb() : CrashRecoveryTests(DatabaseKind.MariaDb);
