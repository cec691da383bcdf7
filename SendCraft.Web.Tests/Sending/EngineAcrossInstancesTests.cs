using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Sending;

/// <summary>
/// Two real app processes on one MariaDB database, sending through one SMTP account: each message is delivered
/// once, and the account's limits hold for the account as a whole, not per instance.
/// </summary>
public sealed class EngineAcrossInstancesTests
{
    private static Dictionary<string, string> Settings(string lease, int batch) => new()
    {
        ["Sending:Lease"] = lease,
        ["Sending:BatchSize"] = batch.ToString(),
        ["Sending:PollInterval"] = "00:00:00.200",
        ["Sending:IdleConnectionTimeout"] = "00:00:01",
    };

    [Fact]
    public async Task SlowAccount_BatchesOutlastingTheLease_AndADatabaseFault_EveryMessageDeliveredOnce_WithinTheConnectionLimit()
    {
        // 4 messages a second and batches of 10: a batch takes 2.5 s, the lease 1 s. Without the heartbeat the other
        // instance would claim rows of a batch still being sent. Midway, the attempt table vanishes for three leases'
        // time: both instances' records fail and are retried while their rows stay leased.
        await using var server = FaultySmtpServer.Start();
        await using var first = await AppProcess.StartAsync(DatabaseKind.MariaDb, Settings("00:00:01", 10));
        await using var second = await AppProcess.StartOnAsync(first.Database, Settings("00:00:01", 10));
        await using (var db = DirectDb.Open(first.Database))
            await OutboxBuilders.SeedSenderAsync(db, server.Port, 32, messagesPerSecond: 4, maxConnections: 2);

        await server.WaitForMessagesAsync(6, TimeSpan.FromSeconds(60));
        await using (var db = DirectDb.Open(first.Database))
        {
            await db.Database.ExecuteSqlRawAsync("RENAME TABLE MessageAttempts TO MessageAttemptsAway");
            try
            {
                // Away until a record has failed (on a loaded machine the next one may take a while), then three leases more.
                for (var waited = 0; waited < 300 && !(first.Output + second.Output).Contains("Recording the outcomes"); waited++)
                    await Task.Delay(100);
                await Task.Delay(TimeSpan.FromSeconds(3));
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync("RENAME TABLE MessageAttemptsAway TO MessageAttempts");
            }
        }
        Assert.Contains("Recording the outcomes", first.Output + second.Output);

        var rows = await OutboxBuilders.WaitForMessagesAsync(first.Database, all => all.All(m => m.Status == MessageStatus.Sent), TimeSpan.FromSeconds(90));
        await Task.Delay(TimeSpan.FromSeconds(3)); // a second copy of a batch would arrive within a batch's time

        var received = server.Messages.SelectMany(m => m.Recipients).Select(r => r.ToLowerInvariant()).ToList();
        Assert.Equal(rows.Select(r => r.Recipient).Order(), received.Order());
        Assert.All(rows, r => Assert.Equal(1, r.Attempts));
        await using (var check = DirectDb.Open(first.Database))
            Assert.Equal(rows.Count, await check.MessageAttempts.IgnoreQueryFilters().CountAsync());
        Assert.True(server.MaxOpenConnections <= 2, $"{server.MaxOpenConnections} connections were open at once; the account allows 2.\n{first.OutputTail()}\n{second.OutputTail()}");
    }

    [Fact]
    public async Task TwoInstances_OnAnAccountLimitedToFivePerSecond_SendFivePerSecondTogether()
    {
        // Plenty of connections, so both instances send at the same time and only the shared rate limit holds them back.
        const int rate = 5, total = 40;
        await using var server = FaultySmtpServer.Start();
        await using var first = await AppProcess.StartAsync(DatabaseKind.MariaDb, Settings("00:00:10", 10));
        await using var second = await AppProcess.StartOnAsync(first.Database, Settings("00:00:10", 10));
        await using (var db = DirectDb.Open(first.Database))
            await OutboxBuilders.SeedSenderAsync(db, server.Port, total, messagesPerSecond: rate, maxConnections: 20);

        await OutboxBuilders.WaitForMessagesAsync(first.Database, all => all.All(m => m.Status == MessageStatus.Sent), TimeSpan.FromSeconds(90));
        Assert.Equal(total, server.Messages.Count);
        await using var check = DirectDb.Open(first.Database);

        // Alone, each instance would send 5 a second: together 10, and 40 messages in about 4 s. Shared: about 8 s.
        // Attempts start right after the limit lets a message go, so their start times show the limit at work.
        var started = await check.MessageAttempts.IgnoreQueryFilters().Select(a => a.StartedAt).OrderBy(t => t).ToListAsync();
        Assert.Equal(total, started.Count);
        var span = (started[^1] - started[0]).TotalSeconds;
        Assert.True(span >= 0.8 * (total - rate) / rate, $"{total} messages in {span:0.0} s: faster than {rate} a second.");
        // A one-second window can touch six 200 ms slots, and a loaded machine may delay a start a little: rate + 2.
        var busiestSecond = started.Max(t => started.Count(u => u >= t && u < t.AddSeconds(1)));
        Assert.True(busiestSecond <= rate + 2, $"{busiestSecond} messages started within one second; the account allows {rate}.");
        Assert.True(await check.AccountSendWindows.CountAsync() > 0, "The rate windows were not shared through the database.");
    }
}
