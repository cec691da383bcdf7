using System.Net.Sockets;
using System.Text.RegularExpressions;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace SendCraft.Web.Sending;

public enum OutcomeKind { Sent, Deferred, Failed }

/// <summary>
/// What a server's answer means for a message (RFC 5321 §4.2.1): 2xx sent; 4xx, timeouts and dropped
/// connections deferred (try again later); 5xx failed for good. A 5.1.x enhanced status (RFC 3463: bad
/// destination mailbox) on a recipient means the address itself is bad, so it is suppressed.
/// </summary>
public sealed partial record SmtpOutcome(OutcomeKind Kind, int? Code, string Response, bool SuppressRecipient = false)
{
    public static SmtpOutcome Sent(string response) => new(OutcomeKind.Sent, 250, Trim(response));

    public static SmtpOutcome From(Exception ex) => ex switch
    {
        SmtpCommandException c when (int)c.StatusCode >= 500 => new(OutcomeKind.Failed, (int)c.StatusCode, Trim(c.Message),
            SuppressRecipient: c.ErrorCode == SmtpErrorCode.RecipientNotAccepted && BadMailbox().IsMatch(c.Message)),
        SmtpCommandException c => new(OutcomeKind.Deferred, (int)c.StatusCode, Trim(c.Message)),
        AuthenticationException => new(OutcomeKind.Deferred, 535, "Authentication failed: check the SMTP account's username and password. " + Trim(ex.Message)),
        SslHandshakeException => new(OutcomeKind.Deferred, null, "TLS failed: the server's certificate is not trusted. " + Trim(ex.Message)),
        SmtpProtocolException or ServiceNotConnectedException or IOException or SocketException
            => new(OutcomeKind.Deferred, null, "Connection problem: " + Trim(ex.Message)),
        TimeoutException or OperationCanceledException => new(OutcomeKind.Deferred, null, "The server did not answer in time."),
        _ => new(OutcomeKind.Deferred, null, $"Unexpected error ({ex.GetType().Name}): {Trim(ex.Message)}"),
    };

    /// <summary>Deferred too often: give up, keeping the last answer.</summary>
    public SmtpOutcome GiveUp(int attempts) =>
        this with { Kind = OutcomeKind.Failed, Response = $"Gave up after {attempts} attempts. Last answer: {Response}" };

    private static string Trim(string s) => s.Length <= 900 ? s.Trim() : s[..900];

    [GeneratedRegex(@"(^|\s)5\.1\.\d+")]
    private static partial Regex BadMailbox();
}
