using Microsoft.Extensions.Options;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Tracking;

namespace SendCraft.Web.Unsubscribe;

/// <summary>
/// The unsubscribe URLs of a message and its List-Unsubscribe headers (RFC 2369, with RFC 8058 one-click). Campaign
/// messages to a contact carry them; test sends do not (they go to the operator, not to a subscriber). The URLs name
/// the message by a signed token (MessageTokens, purpose Unsubscribe), so nobody can unsubscribe someone else.
/// </summary>
public sealed class UnsubscribeLinks(IOptions<UnsubscribeOptions> options, PublicAddress publicAddress, MessageTokens tokens)
{
    /// <summary>The template variables these links fill in, treated as built in (never "missing" for a contact).</summary>
    public const string UnsubscribeUrlVariable = "unsubscribe_url", PreferencesUrlVariable = "preferences_url";

    public static readonly IReadOnlySet<string> Variables = new HashSet<string>(StringComparer.Ordinal) { UnsubscribeUrlVariable, PreferencesUrlVariable };

    /// <summary>The token of previews and test sends: not a valid token, the page it leads to says why.</summary>
    public const string SampleToken = "sample";

    /// <summary>Campaign mail to a contact: the messages that are unsubscribed from.</summary>
    public static bool Applies(OutboundMessage message) => message is { CampaignId: not null, ContactId: not null, IsTest: false };

    public string Token(long messageId) => tokens.Create(TokenPurpose.Unsubscribe, messageId);

    public string UnsubscribeUrl(string token) => $"{BaseUrl}/u/{token}";

    public string PreferencesUrl(string token) => $"{BaseUrl}/p/{token}";

    /// <summary>Whether <paramref name="url"/> is one of the recipients' unsubscribe or preferences pages of this installation.</summary>
    public bool IsRecipientPage(string url) =>
        url.StartsWith(BaseUrl + "/u/", StringComparison.OrdinalIgnoreCase) || url.StartsWith(BaseUrl + "/p/", StringComparison.OrdinalIgnoreCase);

    public string MailtoAddress(string token) => $"unsubscribe+{token}@{MailtoDomain}";

    /// <summary>
    /// Adds List-Unsubscribe (the HTTPS URL first: RFC 8058 mail receivers use the first http(s) URI, others may use the
    /// mailto) and List-Unsubscribe-Post to a campaign message, before it is DKIM-signed: both are in
    /// DkimKeys.SignedHeaders, and RFC 8058 §4 requires the signature to cover them. Other messages are left alone.
    /// </summary>
    public void AddHeaders(MimeMessage mime, OutboundMessage message)
    {
        if (!Applies(message)) return;
        var token = Token(message.Id);
        mime.Headers.Remove(HeaderId.ListUnsubscribe);
        mime.Headers.Remove(HeaderId.ListUnsubscribePost);
        mime.Headers.Add(HeaderId.ListUnsubscribe, $"<{UnsubscribeUrl(token)}>, <mailto:{MailtoAddress(token)}>");
        mime.Headers.Add(HeaderId.ListUnsubscribePost, "List-Unsubscribe=One-Click");
    }

    /// <summary>The recipient's own {{ unsubscribe_url }} and {{ preferences_url }} (campaign mail to a contact only).</summary>
    public void AddFields(IDictionary<string, object?> fields, OutboundMessage message)
    {
        if (!Applies(message)) return;
        var token = Token(message.Id);
        fields[UnsubscribeUrlVariable] = UnsubscribeUrl(token);
        fields[PreferencesUrlVariable] = PreferencesUrl(token);
    }

    /// <summary>Previews and test sends: links of the right shape whose page explains they only work in the real messages.</summary>
    public void AddSampleFields(IDictionary<string, object?> fields)
    {
        fields[UnsubscribeUrlVariable] = UnsubscribeUrl(SampleToken);
        fields[PreferencesUrlVariable] = PreferencesUrl(SampleToken);
    }

    /// <summary>The template editor's preview (no base URL at hand there): example links, unless the sample data has its own.</summary>
    public static void AddExampleFields(IDictionary<string, object?> fields)
    {
        fields.TryAdd(UnsubscribeUrlVariable, "https://example.com/u/" + SampleToken);
        fields.TryAdd(PreferencesUrlVariable, "https://example.com/p/" + SampleToken);
    }

    /// <summary>Scheme, host and path prefix, without a trailing slash.</summary>
    private string BaseUrl => publicAddress.BaseUrl;

    private string MailtoDomain
    {
        get
        {
            if (options.Value.MailtoDomain is { Length: > 0 } domain) return domain.Trim();
            // A bare IP (a test or a server reached by address) is an address literal in an email address (RFC 5321 §4.1.3).
            var host = new Uri(BaseUrl).Host;
            return Uri.CheckHostName(host) switch
            {
                UriHostNameType.IPv4 => $"[{host}]",
                UriHostNameType.IPv6 => $"[IPv6:{host.Trim('[', ']')}]",
                _ => host,
            };
        }
    }
}
