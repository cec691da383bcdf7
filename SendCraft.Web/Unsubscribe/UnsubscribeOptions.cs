namespace SendCraft.Web.Unsubscribe;

/// <summary>Settings of the unsubscribe links (section "Unsubscribe").</summary>
public sealed class UnsubscribeOptions
{
    public const string Section = "Unsubscribe";

    /// <summary>
    /// Where recipients reach this application, e.g. "https://mail.example.com" (scheme and host, optionally a path
    /// prefix): the one-click and preferences URLs in every campaign message start with it. Unset: the first address
    /// this instance listens on, which is right on a developer's machine only (recipients cannot reach localhost).
    /// The one place the app's public address is configured for links in mail; tracking links can share it.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// The domain of the mailto unsubscribe address (unsubscribe+&lt;token&gt;@domain), whose MX must reach the inbound
    /// SMTP listener. Unset: the host of <see cref="PublicBaseUrl"/>.
    /// </summary>
    public string? MailtoDomain { get; set; }

    /// <summary>Null when valid, else why not (checked at start).</summary>
    internal string? Problem()
    {
        if (!string.IsNullOrWhiteSpace(PublicBaseUrl)
            && (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.Query)))
            return $"Unsubscribe:PublicBaseUrl must be an absolute http(s) URL without a query, such as https://mail.example.com; it is '{PublicBaseUrl}'.";
        if (!string.IsNullOrWhiteSpace(MailtoDomain) && Uri.CheckHostName(MailtoDomain.Trim()) != UriHostNameType.Dns)
            return $"Unsubscribe:MailtoDomain must be a domain name such as mail.example.com; it is '{MailtoDomain}'.";
        return null;
    }
}
