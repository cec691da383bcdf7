using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

public enum ConnectionTestOutcome
{
    Success, HostNotFound, ConnectionRefused, Timeout, CertificateNotTrusted, TlsFailed, AuthenticationFailed,
    AuthNotOffered, ServerRefused, ProtocolError, ConnectionClosed, Failed,
}

/// <summary>What an SMTP connection test found, in words an operator can act on.</summary>
public sealed record ConnectionTestResult(
    ConnectionTestOutcome Outcome, string Summary, string? Detail = null,
    IReadOnlyList<string>? Capabilities = null, bool Encrypted = false, bool Authenticated = false)
{
    public bool Success => Outcome == ConnectionTestOutcome.Success;
}

/// <summary>
/// "Test connection" for an SMTP account: connects the way the sending engine does (SmtpConnector: NoDelay socket,
/// TLS, AUTH) and turns whatever MailKit or the socket threw into one plain sentence.
/// </summary>
public static class ConnectionTest
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task<ConnectionTestResult> RunAsync(SmtpEndpoint endpoint, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            using var client = await SmtpConnector.ConnectAsync(endpoint, timeout, ct);
            var result = Describe(client, endpoint);
            try
            {
                await client.DisconnectAsync(quit: true, ct);
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or SocketException or OperationCanceledException)
            {
                // The test already succeeded; a server that hangs up rudely after QUIT does not change that.
            }
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return Explain(e, endpoint, timeout);
        }
    }

    internal static ConnectionTestResult Describe(SmtpClient client, SmtpEndpoint endpoint)
    {
        var capabilities = new List<string>();
        var caps = client.Capabilities;
        if (caps.HasFlag(SmtpCapabilities.Pipelining)) capabilities.Add("PIPELINING");
        if (caps.HasFlag(SmtpCapabilities.EightBitMime)) capabilities.Add("8BITMIME");
        if (caps.HasFlag(SmtpCapabilities.Size)) capabilities.Add(client.MaxSize >= 1024 * 1024 ? $"SIZE {client.MaxSize / (1024 * 1024)} MB" : client.MaxSize > 0 ? $"SIZE {client.MaxSize}" : "SIZE");
        if (caps.HasFlag(SmtpCapabilities.StartTLS)) capabilities.Add("STARTTLS");
        if (caps.HasFlag(SmtpCapabilities.Authentication)) capabilities.Add("AUTH " + string.Join(' ', client.AuthenticationMechanisms.Order()));
        if (caps.HasFlag(SmtpCapabilities.UTF8)) capabilities.Add("SMTPUTF8");
        if (caps.HasFlag(SmtpCapabilities.EnhancedStatusCodes)) capabilities.Add("ENHANCEDSTATUSCODES");
        if (caps.HasFlag(SmtpCapabilities.Dsn)) capabilities.Add("DSN");
        if (caps.HasFlag(SmtpCapabilities.Chunking)) capabilities.Add("CHUNKING");
        if (caps.HasFlag(SmtpCapabilities.BinaryMime)) capabilities.Add("BINARYMIME");
        if (caps.HasFlag(SmtpCapabilities.RequireTLS)) capabilities.Add("REQUIRETLS");

        var encryption = client.IsEncrypted ? $"The connection is encrypted ({client.SslProtocol})." : "The connection is NOT encrypted.";
        var auth = client.IsAuthenticated ? $" Signed in as {endpoint.Username}." : " No sign-in was attempted (no username).";
        return new ConnectionTestResult(ConnectionTestOutcome.Success,
            $"Connected to {endpoint.Host}:{endpoint.Port}. {encryption}{auth}",
            Capabilities: capabilities, Encrypted: client.IsEncrypted, Authenticated: client.IsAuthenticated);
    }

    /// <summary>Maps what a connection attempt threw to an outcome and a sentence. Order matters: the specific cases come first.</summary>
    internal static ConnectionTestResult Explain(Exception error, SmtpEndpoint endpoint, TimeSpan timeout)
    {
        var where = $"{endpoint.Host}:{endpoint.Port}";
        switch (error)
        {
            case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                return new(ConnectionTestOutcome.HostNotFound,
                    $"The host name {endpoint.Host} was not found in DNS. Check the spelling of the SMTP host.", error.Message);
            case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                return new(ConnectionTestOutcome.ConnectionRefused,
                    $"The connection to {where} was refused: nothing accepts connections on that port, or a firewall rejects them. Check the host and port.", error.Message);
            case SocketException { SocketErrorCode: SocketError.TimedOut }:
            case TimeoutException:
            case OperationCanceledException:
                return new(ConnectionTestOutcome.Timeout,
                    $"No answer from {where} within {timeout.TotalSeconds:0} seconds. The port may be blocked by a firewall, or the server is too slow.", error.Message);
            case SocketException { SocketErrorCode: SocketError.NetworkUnreachable or SocketError.HostUnreachable } socket:
                return new(ConnectionTestOutcome.Failed, $"{where} cannot be reached from this server ({socket.SocketErrorCode}).", error.Message);
            case SslHandshakeException tls when tls.ServerCertificate is not null:
                return new(ConnectionTestOutcome.CertificateNotTrusted,
                    $"The TLS handshake with {where} failed because the server's certificate is not trusted (self-signed, expired, or issued for another name). " +
                    "If you know and trust this server, tick \"Accept an invalid certificate\" for this account.",
                    $"Certificate: {tls.ServerCertificate.Subject}" + (tls.ServerCertificate.Issuer is { } issuer ? $", issued by {issuer}" : ""));
            case SslHandshakeException tls:
                return new(ConnectionTestOutcome.TlsFailed,
                    $"The TLS handshake with {where} failed. Check the security setting: port 465 usually needs \"TLS on connect\", ports 587 and 25 \"STARTTLS\".",
                    tls.InnerException?.Message ?? tls.Message);
            case AuthenticationException auth:
                return new(ConnectionTestOutcome.AuthenticationFailed,
                    $"Authentication failed: {endpoint.Host} refused the username or password (535).", auth.Message);
            case NotSupportedException:
                return new(ConnectionTestOutcome.AuthNotOffered,
                    $"{endpoint.Host} does not offer authentication (no AUTH in its EHLO answer), so the username and password cannot be used. " +
                    "Many servers offer AUTH only after STARTTLS, or only on port 587.", error.Message);
            case SmtpCommandException command:
                var code = (int)command.StatusCode;
                var kind = code is >= 400 and < 500 ? "a temporary refusal; try again later" : "a permanent refusal";
                return new(ConnectionTestOutcome.ServerRefused,
                    $"{endpoint.Host} answered {code} {command.Message.Trim()} ({kind}).", command.ErrorCode.ToString());
            case SmtpProtocolException protocol:
                return new(ConnectionTestOutcome.ProtocolError,
                    $"{where} did not speak SMTP as expected or closed the connection: {protocol.Message} Is this really an SMTP port, and is the security setting right?", protocol.Message);
            case IOException or ServiceNotConnectedException or SocketException:
                return new(ConnectionTestOutcome.ConnectionClosed,
                    $"The connection to {where} broke off: {error.Message}", error.GetType().Name);
            default:
                return new(ConnectionTestOutcome.Failed, $"The connection test failed: {error.Message}", error.GetType().Name);
        }
    }
}
