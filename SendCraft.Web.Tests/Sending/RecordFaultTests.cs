using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Sending;

/// <summary>
/// A database fault while outcomes are recorded: the attempt log's table vanishes (renamed away) for three leases'
/// time while messages are being delivered. The worker retries the record until it lands; the heartbeat keeps the
/// rows leased meanwhile, so nothing that reached the server is sent again.
/// </summary>
public abstract class RecordFaultTests(DatabaseKind kind)
{
    [Fact]
    public async Task RecordFailsForAWhile_IsRetriedUntilItLands_AndNoMessageIsSentTwice()
    {
        await using var server = FaultySmtpServer.Start();
        await using var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Sending:Lease"] = "00:00:01", ["Sending:BatchSize"] = "4", ["Sending:PollInterval"] = "00:00:00.200",
        });
        var (workspace, account, _) = await app.CreateSenderAsync(server.Port, maxConnections: 1, messagesPerSecond: 5);
        await app.QueueBulkAsync(workspace, account, 12);

        await server.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
        await RenameAsync(app, "MessageAttempts", "MessageAttemptsAway");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var receivedDuringFault = server.Messages.Count;
        var recordedDuringFault = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().CountAsync(m => m.Status == MessageStatus.Sent));
        await RenameAsync(app, "MessageAttemptsAway", "MessageAttempts");

        Assert.True(receivedDuringFault > recordedDuringFault,
            $"The fault hit no record: {receivedDuringFault} received, {recordedDuringFault} recorded while the table was away.");
        var rows = await app.WaitForMessagesAsync(all => all.All(m => m.Status == MessageStatus.Sent), TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a message sent again would arrive by now
        var received = server.Messages.SelectMany(m => m.Recipients).Select(r => r.ToLowerInvariant()).ToList();
        Assert.Equal(rows.Select(r => r.Recipient).Order(), received.Order());
        Assert.All(rows, r => Assert.Equal(1, r.Attempts));
        Assert.Equal(rows.Count, await app.QueryAsync(db => db.MessageAttempts.IgnoreQueryFilters().CountAsync()));
    }

    private static Task RenameAsync(SendCraftApp app, string from, string to) =>
        app.QueryAsync(db => db.Database.ExecuteSqlRawAsync(db.Database.IsMySql()
            ? $"RENAME TABLE `{from}` TO `{to}`"
            : $"ALTER TABLE \"{from}\" RENAME TO \"{to}\""));
}

public sealed class RecordFaultTests_Sqlite() : RecordFaultTests(DatabaseKind.Sqlite);
public sealed class RecordFaultTests_MariaDb() : RecordFaultTests(DatabaseKind.MariaDb);
