using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Sending;

/// <summary>ConnectionTest: what an operator reads after "Test connection", for each way a connection can go wrong.</summary>
public sealed class SmtpAccountConnectionTestTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static SmtpEndpoint Endpoint(FaultySmtpServer server, SmtpSecurity security = SmtpSecurity.None, string? user = null,
        string? password = null, bool acceptInvalid = false) =>
        new(server.Host, server.Port, security, acceptInvalid, user, password);

    [Fact]
    public async Task Success_ListsCapabilities_AndSaysWhetherEncrypted()
    {
        await using var server = FaultySmtpServer.Start(new() { Username = "u", Password = "p" });
        var result = await ConnectionTest.RunAsync(Endpoint(server, user: "u", password: "p"), Timeout, CancellationToken.None);
        Assert.True(result.Success, result.Summary);
        Assert.Contains("PIPELINING", result.Capabilities!);
        Assert.Contains("8BITMIME", result.Capabilities!);
        Assert.Contains("SMTPUTF8", result.Capabilities!);
        Assert.Contains("AUTH LOGIN PLAIN", result.Capabilities!);
        Assert.Contains(result.Capabilities!, c => c.StartsWith("SIZE ", StringComparison.Ordinal));
        Assert.False(result.Encrypted);
        Assert.True(result.Authenticated);
        Assert.Contains("NOT encrypted", result.Summary);
        Assert.Contains("QUIT", server.Commands);
    }

    [Fact]
    public async Task StartTls_SelfSigned_IsExplainedAsUntrustedCertificate_UnlessAccepted()
    {
        await using var server = FaultySmtpServer.Start(new() { StartTls = true });
        var refused = await ConnectionTest.RunAsync(Endpoint(server, SmtpSecurity.StartTls), Timeout, CancellationToken.None);
        Assert.Equal(ConnectionTestOutcome.CertificateNotTrusted, refused.Outcome);
        Assert.Contains("not trusted", refused.Summary);
        Assert.Contains("Accept an invalid certificate", refused.Summary);

        var accepted = await ConnectionTest.RunAsync(Endpoint(server, SmtpSecurity.StartTls, acceptInvalid: true), Timeout, CancellationToken.None);
        Assert.True(accepted.Success, accepted.Summary);
        Assert.True(accepted.Encrypted);
        Assert.Contains("is encrypted", accepted.Summary);
    }

    [Fact]
    public async Task WrongPassword_IsAuthenticationFailed()
    {
        await using var server = FaultySmtpServer.Start(new() { Username = "u", Password = "p", RejectAuth = true });
        var result = await ConnectionTest.RunAsync(Endpoint(server, user: "u", password: "p"), Timeout, CancellationToken.None);
        Assert.Equal(ConnectionTestOutcome.AuthenticationFailed, result.Outcome);
        Assert.Contains("Authentication failed", result.Summary);
        Assert.Contains("535", result.Summary);
    }

    [Fact]
    public async Task UsernameForAServerWithoutAuth_SaysAuthIsNotOffered()
    {
        await using var server = FaultySmtpServer.Start();
        var result = await ConnectionTest.RunAsync(Endpoint(server, user: "u", password: "p"), Timeout, CancellationToken.None);
        Assert.Equal(ConnectionTestOutcome.AuthNotOffered, result.Outcome);
        Assert.Contains("does not offer authentication", result.Summary);
    }

    [Fact]
    public async Task Greeting421_ShowsCodeAndText()
    {
        await using var server = FaultySmtpServer.Start(new() { Greeting421 = true });
        var result = await ConnectionTest.RunAsync(Endpoint(server), Timeout, CancellationToken.None);
        Assert.Equal(ConnectionTestOutcome.ServerRefused, result.Outcome);
        Assert.Contains("421", result.Summary);
        Assert.Contains("Service not available", result.Summary);
        Assert.Contains("temporary", result.Summary);
    }

    [Fact]
    public async Task ClosedPort_IsConnectionRefused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var result = await ConnectionTest.RunAsync(new SmtpEndpoint("127.0.0.1", port, SmtpSecurity.None, false, null, null), Timeout, CancellationToken.None);
        Assert.Equal(ConnectionTestOutcome.ConnectionRefused, result.Outcome);
        Assert.Contains("refused", result.Summary);
    }

    [Fact]
    public async Task SilentServer_IsATimeout()
    {
        await using var server = FaultySmtpServer.Start(new() { StallForever = true });
        var result = await ConnectionTest.RunAsync(Endpoint(server), TimeSpan.FromMilliseconds(300), CancellationToken.None);
        Assert.Equal(ConnectionTestOutcome.Timeout, result.Outcome);
        Assert.Contains("No answer", result.Summary);
    }

    [Fact]
    public async Task TlsOnConnect_ToAPlainServer_IsATlsFailureWithAHintAboutTheSetting()
    {
        await using var server = FaultySmtpServer.Start();
        var result = await ConnectionTest.RunAsync(Endpoint(server, SmtpSecurity.SslOnConnect), Timeout, CancellationToken.None);
        Assert.True(result.Outcome is ConnectionTestOutcome.TlsFailed or ConnectionTestOutcome.ProtocolError, $"{result.Outcome}: {result.Summary}");
        Assert.Contains("security setting", result.Summary);
    }

    [Fact]
    public void UnknownHost_IsExplainedAsDns()
    {
        var endpoint = new SmtpEndpoint("smtp.does-not-exist.invalid", 587, SmtpSecurity.StartTls, false, null, null);
        var result = ConnectionTest.Explain(new SocketException((int)SocketError.HostNotFound), endpoint, Timeout);
        Assert.Equal(ConnectionTestOutcome.HostNotFound, result.Outcome);
        Assert.Contains("not found in DNS", result.Summary);
    }

    [Fact]
    public async Task UnknownHost_ForReal_IsHostNotFound()
    {
        // .invalid is reserved (RFC 2606) and never resolves; the resolver answers at once even offline.
        var endpoint = new SmtpEndpoint("smtp.does-not-exist.invalid", 587, SmtpSecurity.StartTls, false, null, null);
        var result = await ConnectionTest.RunAsync(endpoint, Timeout, CancellationToken.None);
        Assert.True(result.Outcome is ConnectionTestOutcome.HostNotFound or ConnectionTestOutcome.Timeout, $"{result.Outcome}: {result.Summary}");
    }

    [Fact]
    public void Explain_MapsSocketTimeoutsAndSmtp5xx()
    {
        var endpoint = new SmtpEndpoint("smtp.example.test", 25, SmtpSecurity.None, false, null, null);
        Assert.Equal(ConnectionTestOutcome.Timeout, ConnectionTest.Explain(new SocketException((int)SocketError.TimedOut), endpoint, Timeout).Outcome);
        Assert.Equal(ConnectionTestOutcome.Timeout, ConnectionTest.Explain(new TimeoutException(), endpoint, Timeout).Outcome);
        var refused = ConnectionTest.Explain(new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, SmtpStatusCode.TransactionFailed, "5.7.1 Client host rejected"), endpoint, Timeout);
        Assert.Equal(ConnectionTestOutcome.ServerRefused, refused.Outcome);
        Assert.Contains("554", refused.Summary);
        Assert.Contains("permanent", refused.Summary);
        Assert.Equal(ConnectionTestOutcome.ProtocolError, ConnectionTest.Explain(new SmtpProtocolException("The server disconnected."), endpoint, Timeout).Outcome);
    }
}
