using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Sending;

/// <summary>
/// Two instances of the app on one MariaDB database (the production shape behind a load balancer) share the outbox:
/// FOR UPDATE SKIP LOCKED hands each row to exactly one of them, so nobody gets a message twice.
/// </summary>
public sealed class MultiInstanceTests
{
    [Fact]
    public async Task TwoInstancesOnOneMariaDb_ShareTheWork_AndSendNoMessageTwice()
    {
        var settings = new Dictionary<string, string?> { ["Sending:PollInterval"] = "00:00:00.100", ["Sending:BatchSize"] = "50" };
        await using var sink = await SmtpSink.StartAsync();
        await using var first = await SendCraftApp.StartAsync(DatabaseKind.MariaDb, new Dictionary<string, string?>(settings) { ["Sending:WorkersEnabled"] = "false" });
        var (workspace, account, _) = await first.CreateSenderAsync(sink.Port, maxConnections: 2);
        await first.QueueBulkAsync(workspace, account, 2000);

        // Both start claiming at the same moment, from the same backlog.
        await using var a = SendCraftApp.StartAnotherInstance(first, settings);
        await using var b = SendCraftApp.StartAnotherInstance(first, settings);
        _ = b.Server;

        var rows = await a.WaitForMessagesAsync(all => all.All(m => m.Status == MessageStatus.Sent), TimeSpan.FromSeconds(120));
        var received = sink.Recipients();
        Assert.Equal(2000, received.Count);
        Assert.Equal(2000, received.Distinct().Count());
        Assert.Equal(rows.Select(r => r.Recipient).Order(), received.Order());
    }
}
