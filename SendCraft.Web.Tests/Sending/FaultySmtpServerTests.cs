using System.Net.Sockets;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Sending;

/// <summary>
/// The in-test SMTP server, driven by MailKit clients directly. Each test also shows how to start the server with
/// one fault and which MailKit exception that fault produces.
/// </summary>
public sealed class FaultySmtpServerTests
{
    private static MimeMessage Message(params string[] to)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("sender@example.test"));
        foreach (var address in to) message.To.Add(MailboxAddress.Parse(address));
        message.Subject = "Hello";
        // The second line starts with a dot: the client doubles it, the server must remove it again.
        message.Body = new TextPart("plain") { Text = "first line\r\n.hidden dot line\r\nlast line\r\n" };
        return message;
    }

    private static async Task<SmtpClient> ConnectAsync(FaultySmtpServer server, SecureSocketOptions options = SecureSocketOptions.None)
    {
        var client = new SmtpClient { Timeout = 10_000 };
        await client.ConnectAsync(server.Host, server.Port, options);
        return client;
    }

    [Fact]
    public async Task Send_RecordsEnvelopeAndDotUnstuffedData()
    {
        await using var server = FaultySmtpServer.Start();
        using var client = await ConnectAsync(server);
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Pipelining));
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.EightBitMime));
        Assert.Equal(20 * 1024 * 1024, (int)client.MaxSize);
        Assert.False(client.Capabilities.HasFlag(SmtpCapabilities.Authentication)); // no credentials configured
        Assert.False(client.Capabilities.HasFlag(SmtpCapabilities.StartTLS)); // no TLS configured

        await client.SendAsync(Message("a@example.test", "b@example.test", "c@example.test"));
        await client.SendAsync(Message("d@example.test"));
        await client.DisconnectAsync(quit: true);

        var messages = server.Messages;
        Assert.Equal(2, messages.Count);
        Assert.Equal("sender@example.test", messages[0].From);
        Assert.Equal(["a@example.test", "b@example.test", "c@example.test"], messages[0].Recipients);
        Assert.Contains("\r\n.hidden dot line\r\n", messages[0].DataText);
        Assert.DoesNotContain("..hidden", messages[0].DataText);
        Assert.Contains("Subject: Hello", messages[0].DataText);
        Assert.Equal(["d@example.test"], messages[1].Recipients);
        Assert.Equal(1, server.ConnectionCount);
        Assert.Contains("QUIT", server.Commands);
    }

    [Fact]
    public async Task PipelinedCommands_InOnePacket_AreAnsweredInOrder()
    {
        await using var server = FaultySmtpServer.Start();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.StartsWith("220 ", await reader.ReadLineAsync());

        await stream.WriteAsync("EHLO client\r\nMAIL FROM:<s@example.test>\r\nRCPT TO:<r@example.test>\r\nNOOP\r\nRSET\r\nQUIT\r\n"u8.ToArray());
        var replies = new List<string>();
        while (await reader.ReadLineAsync() is { } line) replies.Add(line);

        var finalReplies = replies.Where(r => r.Length > 3 && r[3] == ' ').Select(r => r[..3]).ToList();
        Assert.Equal(["250", "250", "250", "250", "250", "221"], finalReplies);
        Assert.Contains("250-PIPELINING", replies);
    }

    [Fact]
    public async Task Greeting421_FailsTheConnect()
    {
        await using var server = FaultySmtpServer.Start(new() { Greeting421 = true });
        using var client = new SmtpClient { Timeout = 10_000 };
        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None));
        Assert.Equal(421, (int)error.StatusCode);
        Assert.Contains("Service not available", error.Message);
    }

    [Fact]
    public async Task Rcpt451_ForChosenAddress_OnlyForTheFirstAttempt_ThenTheRetrySucceeds()
    {
        await using var server = FaultySmtpServer.Start(new() { DeferRecipients = ["later@example.test"], DeferFirstAttempts = 1 });
        using var client = await ConnectAsync(server);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("later@example.test")));
        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, error.ErrorCode);
        Assert.Equal(451, (int)error.StatusCode);
        Assert.Equal("later@example.test", error.Mailbox?.Address);

        await client.SendAsync(Message("later@example.test"));
        Assert.Equal(2, server.RcptAttempts("later@example.test"));
        Assert.Single(server.Messages);
    }

    [Fact]
    public async Task Rcpt451_ForEveryone_IsAlwaysDeferred()
    {
        await using var server = FaultySmtpServer.Start(new() { DeferAllRecipients = true });
        using var client = await ConnectAsync(server);
        for (var i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("anyone@example.test")));
            Assert.Equal(451, (int)error.StatusCode);
        }
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Rcpt550_ForUnknownUser_OthersStillDelivered()
    {
        await using var server = FaultySmtpServer.Start(new() { RejectRecipients = ["nobody@example.test"] });
        using var client = await ConnectAsync(server);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("nobody@example.test")));
        Assert.Equal(SmtpErrorCode.RecipientNotAccepted, error.ErrorCode);
        Assert.Equal(550, (int)error.StatusCode);
        Assert.Contains("5.1.1", error.Message);

        await client.SendAsync(Message("somebody@example.test"));
        Assert.Equal(["somebody@example.test"], server.Messages.Single().Recipients);
    }

    [Fact]
    public async Task Data552_RefusesTheMessageAfterReceivingIt()
    {
        await using var server = FaultySmtpServer.Start(new() { RejectData552 = true });
        using var client = await ConnectAsync(server);
        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("a@example.test")));
        Assert.Equal(SmtpErrorCode.MessageNotAccepted, error.ErrorCode);
        Assert.Equal(552, (int)error.StatusCode);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Auth_PlainAndLogin_WithTheRightCredentials_Succeed_AndWrongOnesGet535()
    {
        await using var server = FaultySmtpServer.Start(new() { Username = "user", Password = "secret" });
        using (var plain = await ConnectAsync(server))
        {
            Assert.Contains("PLAIN", plain.AuthenticationMechanisms);
            Assert.Contains("LOGIN", plain.AuthenticationMechanisms);
            plain.AuthenticationMechanisms.Remove("LOGIN");
            await plain.AuthenticateAsync("user", "secret");
            await plain.SendAsync(Message("a@example.test"));
        }
        using (var login = await ConnectAsync(server))
        {
            login.AuthenticationMechanisms.Remove("PLAIN");
            await login.AuthenticateAsync("user", "secret");
            Assert.True(login.IsAuthenticated);
        }
        using (var wrong = await ConnectAsync(server))
        {
            await Assert.ThrowsAsync<AuthenticationException>(() => wrong.AuthenticateAsync("user", "not-it"));
        }
        using (var anonymous = await ConnectAsync(server))
        {
            // 530 Authentication required: MailKit turns it into ServiceNotAuthenticatedException.
            await Assert.ThrowsAsync<MailKit.ServiceNotAuthenticatedException>(() => anonymous.SendAsync(Message("a@example.test")));
        }
        Assert.Single(server.Messages);
        Assert.Contains("AUTH PLAIN", server.Commands);
        Assert.Contains("AUTH LOGIN", server.Commands);
        Assert.DoesNotContain(server.Commands, c => c.Contains("secret"));
    }

    [Fact]
    public async Task RejectAuth_Answers535_EvenForTheRightPassword()
    {
        await using var server = FaultySmtpServer.Start(new() { Username = "user", Password = "secret", RejectAuth = true });
        using var client = await ConnectAsync(server);
        var error = await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("user", "secret"));
        Assert.Contains("credentials invalid", error.Message);
    }

    [Fact]
    public async Task DropDuringData_BreaksTheConnection_AndRecordsNothing()
    {
        await using var server = FaultySmtpServer.Start(new() { DropDuringData = true });
        using var client = await ConnectAsync(server);
        var error = await Record.ExceptionAsync(() => client.SendAsync(Message("a@example.test")));
        Assert.True(error is SmtpProtocolException or IOException, $"Unexpected {error?.GetType()}: {error?.Message}");
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task StallForever_TheClientGivesUp()
    {
        await using var server = FaultySmtpServer.Start(new() { StallForever = true });
        using var client = new SmtpClient();
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ConnectAsync(server.Host, server.Port, SecureSocketOptions.None, giveUp.Token));
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task ReplyDelay_SlowsEveryReply_ButTheConversationCompletes()
    {
        await using var server = FaultySmtpServer.Start(new() { ReplyDelay = TimeSpan.FromMilliseconds(20) });
        using var client = await ConnectAsync(server);
        await client.SendAsync(Message("a@example.test"));
        Assert.Single(server.Messages);
    }

    [Fact]
    public async Task StartTls_WithSelfSignedCertificate_IsRefusedByDefault_AndWorksWhenTrusted()
    {
        await using var server = FaultySmtpServer.Start(new() { StartTls = true });

        using (var strict = new SmtpClient { Timeout = 10_000 })
        {
            await Assert.ThrowsAsync<SslHandshakeException>(() => strict.ConnectAsync(server.Host, server.Port, SecureSocketOptions.StartTls));
        }
        var ehloBefore = server.Commands.Count(c => c.StartsWith("EHLO", StringComparison.Ordinal));
        using (var trusting = new SmtpClient { Timeout = 10_000, ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            await trusting.ConnectAsync(server.Host, server.Port, SecureSocketOptions.StartTls);
            Assert.True(trusting.IsEncrypted);
            // RFC 3207: the client says EHLO again inside TLS.
            Assert.Equal(ehloBefore + 2, server.Commands.Count(c => c.StartsWith("EHLO", StringComparison.Ordinal)));
            await trusting.SendAsync(Message("secure@example.test"));
        }
        Assert.Equal(["secure@example.test"], server.Messages.Single().Recipients);
    }

    [Fact]
    public async Task WaitForMessages_ReturnsOnceTheyArrive_AndTimesOutOtherwise()
    {
        await using var server = FaultySmtpServer.Start();
        using var client = await ConnectAsync(server);
        await client.SendAsync(Message("a@example.test"));
        await server.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<TimeoutException>(() => server.WaitForMessagesAsync(2, TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task Dispose_StopsListening()
    {
        var server = FaultySmtpServer.Start();
        var port = server.Port;
        await server.DisposeAsync();
        using var tcp = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => tcp.ConnectAsync("127.0.0.1", port));
    }
}
