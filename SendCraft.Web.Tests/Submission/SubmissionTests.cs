using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SendCraft.Web.Api;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Submission;

/// <summary>
/// SMTP submission through the real listener on 127.0.0.1, with MailKit, swaks (Debian) and a raw SMTP conversation for
/// the exact reply codes; accepted mail goes through the real engine to Postfix's smtp-sink.
/// </summary>
public abstract class SubmissionTests(DatabaseKind kind)
{
    private sealed record World(SendCraftApp App, SmtpSink Sink, int Port, long WorkspaceId, string Key, string Certificate) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Sink.DisposeAsync();
        }
    }

    private static async Task<World> StartAsync(DatabaseKind kind, bool requireTls = true, int maxBytes = 1024 * 1024, bool sandbox = false, ApiScopes scopes = ApiScopes.Send)
    {
        var sink = await SmtpSink.StartAsync();
        var port = RepoPaths.FreeLoopbackPort();
        var certificate = TestCertificates.Pfx();
        var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Submission:Enabled"] = "true", ["Submission:Address"] = "127.0.0.1", ["Submission:Port"] = port.ToString(),
            ["Submission:CertificatePath"] = certificate, ["Submission:RequireTls"] = requireTls ? "true" : "false",
            ["Submission:MaxMessageBytes"] = maxBytes.ToString(), ["Sending:PollInterval"] = "00:00:00.200",
        });
        var (workspace, _, _) = await app.CreateSenderAsync(sink.Port);
        var key = await AddKeyAsync(app, workspace, sandbox, scopes);
        await RawSmtp.WaitForListenerAsync(port, "submission");
        return new World(app, sink, port, workspace, key, certificate);
    }

    [Fact]
    public async Task MailKit_WithStartTlsAndAnApiKey_QueuesTheMessage_WhichIsSentDkimSignedFromTheSendersAddress()
    {
        await using var w = await StartAsync(kind);
        using (var client = new SmtpClient())
        {
            client.ServerCertificateValidationCallback = (_, _, _, _) => true; // the test's self-signed certificate
            await client.ConnectAsync("127.0.0.1", w.Port, SecureSocketOptions.StartTls);
            Assert.True(client.IsSecure);
            Assert.Contains("PLAIN", client.AuthenticationMechanisms);
            Assert.Contains("LOGIN", client.AuthenticationMechanisms);
            await client.AuthenticateAsync("my-app", w.Key);
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Shop", "orders@sender.test"));
            message.To.Add(new MailboxAddress("Ann", "ann@rcpt.test"));
            message.ReplyTo.Add(new MailboxAddress("Support", "help@sender.test"));
            message.Subject = "Order 1042 confirmed";
            var body = new BodyBuilder { HtmlBody = "<p>Thanks for your order</p>", TextBody = "Thanks for your order" };
            body.Attachments.Add("invoice.txt", Encoding.UTF8.GetBytes("total 42"), new ContentType("text", "plain"));
            message.Body = body.ToMessageBody();
            var answer = await client.SendAsync(message, MailboxAddress.Parse("orders@sender.test"),
                [MailboxAddress.Parse("ann@rcpt.test"), MailboxAddress.Parse("hidden@rcpt.test")]);
            Assert.Contains("queued as", answer);
            await client.DisconnectAsync(true);
        }

        var rows = await w.App.WaitForMessagesAsync(all => all.Count == 2 && all.All(m => m.Status == MessageStatus.Sent));
        Assert.Equal(["ann@rcpt.test", "hidden@rcpt.test"], w.Sink.Recipients().Order());
        Assert.All(rows, m => Assert.Contains("d=sender.test", m.SentHeaders));
        var content = await w.App.QueryAsync(db => db.MessageContents.IgnoreQueryFilters().Include(c => c.Attachments).SingleAsync());
        Assert.Equal("orders@sender.test", content.FromAddress);
        Assert.Equal("Shop", content.FromName);
        Assert.Equal("Order 1042 confirmed", content.Subject);
        Assert.Contains("help@sender.test", content.ReplyTo);
        Assert.DoesNotContain("hidden@rcpt.test", content.ToHeader); // envelope-only recipient stays Bcc
        Assert.Equal("total 42", Encoding.UTF8.GetString(Assert.Single(content.Attachments).Data));
        Assert.NotNull(content.ApiKeyId);
        var sent = rows[0].SentHeaders!;
        Assert.Contains("From: Shop <orders@sender.test>", sent);
        Assert.Contains("Reply-To:", sent);
    }

    [Fact]
    public async Task ReplyCodes_AuthRequired530_BadKey535_UnknownSenderDomain553_Oversized552()
    {
        await using var w = await StartAsync(kind, requireTls: false, maxBytes: 4096);
        await using var smtp = await RawSmtp.ConnectAsync(w.Port);
        Assert.StartsWith("220", await smtp.ReadAsync());
        Assert.Contains("AUTH", await smtp.SendAsync("EHLO client.test"));
        Assert.StartsWith("530", await smtp.SendAsync("MAIL FROM:<orders@sender.test>"));
        Assert.StartsWith("535", await smtp.SendAsync("AUTH PLAIN " + Plain("app", "sc_live_" + new string('A', 32))));
        Assert.StartsWith("535", await smtp.SendAsync("AUTH PLAIN " + Plain("app", "not a key")));

        await using var second = await RawSmtp.ConnectAsync(w.Port);
        await second.ReadAsync();
        await second.SendAsync("EHLO client.test");
        Assert.StartsWith("334", await second.SendAsync("AUTH LOGIN"));
        Assert.StartsWith("334", await second.SendAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("anything"))));
        Assert.StartsWith("235", await second.SendAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(w.Key))));
        Assert.StartsWith("553", await second.SendAsync("MAIL FROM:<someone@elsewhere.test>"));
        Assert.StartsWith("552", await second.SendAsync("MAIL FROM:<orders@sender.test> SIZE=999999"));
        Assert.StartsWith("250", await second.SendAsync("MAIL FROM:<orders@sender.test>"));
        Assert.StartsWith("250", await second.SendAsync("RCPT TO:<ann@rcpt.test>"));
        Assert.StartsWith("354", await second.SendAsync("DATA"));
        var big = "Subject: big\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 70) + "\r\n", 200)) + ".";
        Assert.StartsWith("552", await second.SendAsync(big));
        Assert.Empty(await w.App.MessagesAsync());
    }

    [Fact]
    public async Task KeyWithoutSendScope_IsRefused535_AndTlsIsRequiredBeforeAuth()
    {
        await using var w = await StartAsync(kind, scopes: ApiScopes.MessagesRead);
        await using var smtp = await RawSmtp.ConnectAsync(w.Port);
        await smtp.ReadAsync();
        var ehlo = await smtp.SendAsync("EHLO client.test");
        Assert.Contains("STARTTLS", ehlo);
        Assert.DoesNotContain("AUTH", ehlo); // not offered in the clear
        Assert.StartsWith("5", await smtp.SendAsync("AUTH PLAIN " + Plain("app", w.Key)));
        Assert.StartsWith("530", await smtp.SendAsync("MAIL FROM:<orders@sender.test>"));

        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", w.Port, SecureSocketOptions.StartTls);
        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("app", w.Key));
        Assert.Contains("535", refused.Message + (refused.InnerException?.Message ?? ""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SandboxKey_MessageIsLoggedAsSandboxed_AndNeverTransmitted()
    {
        await using var w = await StartAsync(kind, sandbox: true);
        using (var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            await client.ConnectAsync("127.0.0.1", w.Port, SecureSocketOptions.StartTls);
            await client.AuthenticateAsync("sandbox", w.Key);
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("orders@sender.test"));
            message.To.Add(MailboxAddress.Parse("ann@rcpt.test"));
            message.Subject = "Sandboxed";
            message.Body = new TextPart("plain") { Text = "not sent" };
            Assert.Contains("sandbox", await client.SendAsync(message));
        }
        var rows = await w.App.WaitForMessagesAsync(all => all.Count == 1);
        Assert.Equal(MessageStatus.Sandboxed, rows[0].Status);
        await Task.Delay(1000);
        Assert.Equal(MessageStatus.Sandboxed, (await w.App.MessagesAsync())[0].Status);
        Assert.Empty(w.Sink.Recipients());
    }

    [Fact]
    public async Task Swaks_WithStartTlsAndAuthLogin_SubmitsMail_AndABadKeyGets535()
    {
        await using var w = await StartAsync(kind);
        var (ok, output) = await SwaksAsync(w.Port, w.Key, "--auth", "LOGIN");
        Assert.True(ok, output);
        Assert.Contains("250", output);
        Assert.Contains("queued as", output);
        var rows = await w.App.WaitForMessagesAsync(all => all.Count == 1 && all[0].Status == MessageStatus.Sent);
        Assert.Equal(["swaks@rcpt.test"], w.Sink.Recipients());
        Assert.Contains("d=sender.test", rows[0].SentHeaders);

        var (plainOk, plain) = await SwaksAsync(w.Port, w.Key, "--auth", "PLAIN");
        Assert.True(plainOk, plain);
        var (refused, refusal) = await SwaksAsync(w.Port, "sc_live_" + new string('B', 32), "--auth", "LOGIN");
        Assert.False(refused);
        Assert.Contains("535", refusal);
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    private static async Task<string> AddKeyAsync(SendCraftApp app, long workspace, bool sandbox, ApiScopes scopes)
    {
        var secret = ApiKeySecrets.Generate(sandbox);
        await using var scope = app.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspace);
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        db.ApiKeys.Add(new ApiKey
        {
            Name = "SMTP", Prefix = ApiKeySecrets.VisiblePrefix(secret), SecretHash = ApiKeySecrets.Hash(secret), Scopes = scopes,
            IsSandbox = sandbox, CreatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
        return secret;
    }

    private static string Plain(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    private static async Task<(bool Ok, string Output)> SwaksAsync(int port, string key, params string[] extra)
    {
        var start = new ProcessStartInfo("swaks") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--server", "127.0.0.1", "--port", port.ToString(), "--tls", "--auth-user", "my-app", "--auth-password", key,
                     "--from", "orders@sender.test", "--to", "swaks@rcpt.test", "--header", "Subject: From swaks", "--body", "Hello from swaks",
                     "--timeout", "20" })
            start.ArgumentList.Add(a);
        foreach (var a in extra) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode == 0, await output + await error);
    }
}

public sealed class SubmissionTests_Sqlite() : SubmissionTests(DatabaseKind.Sqlite);
public sealed class SubmissionTests_MariaDb() : SubmissionTests(DatabaseKind.MariaDb);
