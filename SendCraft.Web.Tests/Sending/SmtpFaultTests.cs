using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Sending;

/// <summary>How the workers classify what a misbehaving server does (RFC 5321 reply classes), against FaultySmtpServer.</summary>
public abstract class SmtpFaultTests(DatabaseKind kind)
{
    private static Dictionary<string, string?> Settings(string maxAttempts = "3", string timeout = "00:00:30") => new()
    {
        ["Sending:RetryBaseDelay"] = "00:00:00.200",
        ["Sending:RetryMaxDelay"] = "00:00:01",
        ["Sending:PollInterval"] = "00:00:00.200",
        ["Sending:MaxAttempts"] = maxAttempts,
        ["Sending:CommandTimeout"] = timeout,
    };

    private static async Task<(SendCraftApp App, long Workspace, long Account)> StartAsync(
        DatabaseKind kind, FaultySmtpServer server, Dictionary<string, string?>? settings = null,
        SmtpSecurity security = SmtpSecurity.None, string? user = null, string? password = null, bool acceptInvalidCertificate = false)
    {
        var app = await SendCraftApp.StartAsync(kind, settings ?? Settings());
        var (workspace, account, _) = await app.CreateSenderAsync(server.Port, security: security, username: user, password: password,
            acceptInvalidCertificate: acceptInvalidCertificate);
        return (app, workspace, account);
    }

    [Fact]
    public async Task Send_WhenServerReplies451OnRcpt_DefersWithBackoff_ThenSendsOnRetry()
    {
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions { DeferRecipients = ["slow@rcpt.test"], DeferFirstAttempts = 1 });
        var (app, workspace, account) = await StartAsync(kind, server);
        await using var _ = app;
        await app.QueueAsync(workspace, account, ["slow@rcpt.test"]);

        await app.WaitForMessagesAsync(all => all.Single().Status == MessageStatus.Sent);
        var message = (await app.MessagesAsync()).Single();
        Assert.Equal([AttemptOutcome.Deferred, AttemptOutcome.Sent], message.AttemptLog.OrderBy(a => a.Id).Select(a => a.Outcome));
        Assert.Equal(451, message.AttemptLog.OrderBy(a => a.Id).First().SmtpCode);
        Assert.Single(server.Messages);
    }

    [Fact]
    public async Task Send_WhenServerReplies550_5_1_1_FailsAndSuppressesTheAddress()
    {
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions { RejectRecipients = ["gone@rcpt.test"] });
        var (app, workspace, account) = await StartAsync(kind, server);
        await using var _ = app;
        await app.QueueAsync(workspace, account, ["gone@rcpt.test", "here@rcpt.test"]);

        var rows = await app.WaitForMessagesAsync(all => all.All(m => m.Status is MessageStatus.Sent or MessageStatus.Failed));
        var gone = rows.Single(r => r.Recipient == "gone@rcpt.test");
        Assert.Equal(MessageStatus.Failed, gone.Status);
        Assert.Equal(550, gone.LastSmtpCode);
        Assert.Contains("5.1.1", gone.LastSmtpResponse);
        Assert.Equal(1, gone.Attempts); // a 5xx is final: no retry
        var suppression = await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(("gone@rcpt.test", SuppressionReason.HardBounce), (suppression.Email, suppression.Reason));

        // The next message to that address is not even attempted.
        await app.QueueAsync(workspace, account, ["gone@rcpt.test"]);
        var next = await app.WaitForMessagesAsync(all => all.Count == 3);
        Assert.Equal(MessageStatus.Suppressed, next.Last().Status);
        Assert.Equal(["here@rcpt.test"], server.Messages.SelectMany(m => m.Recipients));
    }

    [Fact]
    public async Task Send_WhenServerReplies552OnData_FailsWithTheCodeAndText()
    {
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions { RejectData552 = true });
        var (app, workspace, account) = await StartAsync(kind, server);
        await using var _ = app;
        await app.QueueAsync(workspace, account, ["big@rcpt.test"]);

        var row = (await app.WaitForMessagesAsync(all => all.Single().Status == MessageStatus.Failed)).Single();
        Assert.Equal(552, row.LastSmtpCode);
        Assert.Equal(0, await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().CountAsync())); // the address is fine
    }

    [Fact]
    public async Task MessageOverTheServersSizeLimit_FailsWithoutTransmission_AndASmallOneGoesThrough()
    {
        // SIZE 3000: the small message (about 1 KB) fits, the one with a 4 KB attachment does not.
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions { MaxSize = 3000 });
        var (app, workspace, account) = await StartAsync(kind, server);
        await using var _ = app;
        await app.QueueAsync(workspace, account, ["small@rcpt.test"], subject: "Small");
        await app.QueueAsync(workspace, account, ["large@rcpt.test"], subject: "Large",
            attachments: [new AttachmentInput("big.bin", "application/octet-stream", new byte[4000])]);

        var rows = await app.WaitForMessagesAsync(all => all.Count == 2 && all.All(m => m.Status is MessageStatus.Sent or MessageStatus.Failed));
        var large = rows.Single(m => m.Recipient == "large@rcpt.test");
        Assert.Equal(MessageStatus.Failed, large.Status);
        Assert.Equal(552, large.LastSmtpCode);
        Assert.Contains("at most 3,000", large.LastSmtpResponse);
        Assert.Equal(MessageStatus.Sent, rows.Single(m => m.Recipient == "small@rcpt.test").Status);
        Assert.Equal(["small@rcpt.test"], server.Messages.SelectMany(m => m.Recipients));
        Assert.DoesNotContain(server.Commands, c => c.Contains("large@rcpt.test", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Send_WhenAuthenticationFails535_DefersWithAPlainExplanation()
    {
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions { Username = "user", Password = "right" });
        var (app, workspace, account) = await StartAsync(kind, server, user: "user", password: "wrong");
        await using var _ = app;
        await app.QueueAsync(workspace, account, ["a@rcpt.test"]);

        var row = (await app.WaitForMessagesAsync(all => all.Single().Status == MessageStatus.Failed)).Single();
        Assert.Equal(535, row.LastSmtpCode);
        Assert.Contains("Authentication failed", row.LastSmtpResponse);
        Assert.Equal(3, row.Attempts); // deferred twice, then given up
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Send_WithCorrectPassword_AuthenticatesAndSends()
    {
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions { Username = "user", Password = "right" });
        var (app, workspace, account) = await StartAsync(kind, server, user: "user", password: "right");
        await using var _ = app;
        await app.QueueAsync(workspace, account, ["a@rcpt.test"]);
        await app.WaitForMessagesAsync(all => all.Single().Status == MessageStatus.Sent);
        Assert.Single(server.Messages);
    }

    [Fact]
    public async Task Send_WhenGreetingIs421_OrConnectionDropsMidData_Defers()
    {
        await using var busy = FaultySmtpServer.Start(new FaultySmtpOptions { Greeting421 = true });
        await using var dropping = FaultySmtpServer.Start(new FaultySmtpOptions { DropDuringData = true });
        await using var app = await SendCraftApp.StartAsync(kind, Settings(maxAttempts: "8"));
        var (w1, a1, _) = await app.CreateSenderAsync(busy.Port, domain: "busy.test", workspaceName: "Busy");
        var (w2, a2, _) = await app.CreateSenderAsync(dropping.Port, domain: "drop.test", workspaceName: "Drop");
        await app.QueueAsync(w1, a1, ["x@rcpt.test"]);
        await app.QueueAsync(w2, a2, ["y@rcpt.test"]);

        var rows = await app.WaitForMessagesAsync(all => all.All(m => m.Attempts >= 1 && m.Status == MessageStatus.Deferred));
        Assert.Equal(421, rows.Single(r => r.Recipient == "x@rcpt.test").LastSmtpCode);
        Assert.Contains("Connection problem", rows.Single(r => r.Recipient == "y@rcpt.test").LastSmtpResponse);
        Assert.All(rows, r => Assert.True(r.DueAt > DateTime.UtcNow.AddMilliseconds(-500), "a deferred message waits before its next try"));
    }

    [Fact]
    public async Task Send_WhenServerStalls_TimesOutAndDefers()
    {
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions { StallForever = true });
        var (app, workspace, account) = await StartAsync(kind, server, Settings(maxAttempts: "8", timeout: "00:00:01"));
        await using var _ = app;
        await app.QueueAsync(workspace, account, ["a@rcpt.test"]);

        var row = (await app.WaitForMessagesAsync(all => all.Single().Attempts >= 1)).Single();
        Assert.Equal(MessageStatus.Deferred, row.Status);
        Assert.Contains("did not answer in time", row.LastSmtpResponse);
    }

    [Fact]
    public async Task StartTlsWithSelfSignedCertificate_IsRefused_UnlessTheAccountAcceptsIt()
    {
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions { StartTls = true });
        await using var app = await SendCraftApp.StartAsync(kind, Settings(maxAttempts: "8"));
        var (w1, strict, _) = await app.CreateSenderAsync(server.Port, domain: "strict.test", workspaceName: "Strict", security: SmtpSecurity.StartTls);
        var (w2, lenient, _) = await app.CreateSenderAsync(server.Port, domain: "lenient.test", workspaceName: "Lenient", security: SmtpSecurity.StartTls, acceptInvalidCertificate: true);
        await app.QueueAsync(w1, strict, ["s@rcpt.test"]);
        await app.QueueAsync(w2, lenient, ["l@rcpt.test"]);

        var rows = await app.WaitForMessagesAsync(all =>
            all.Single(m => m.Recipient == "l@rcpt.test").Status == MessageStatus.Sent && all.Single(m => m.Recipient == "s@rcpt.test").Attempts >= 1);
        var refused = rows.Single(r => r.Recipient == "s@rcpt.test");
        Assert.Equal(MessageStatus.Deferred, refused.Status);
        Assert.Contains("certificate is not trusted", refused.LastSmtpResponse);
        Assert.Equal(["l@rcpt.test"], server.Messages.SelectMany(m => m.Recipients));
    }
}

public sealed class SmtpFaultTests_Sqlite() : SmtpFaultTests(DatabaseKind.Sqlite);
public sealed class SmtpFaultTests_MariaDb() : SmtpFaultTests(DatabaseKind.MariaDb);
