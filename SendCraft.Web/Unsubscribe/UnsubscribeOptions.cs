namespace SendCraft.Web.Unsubscribe;

/// <summary>Settings of the unsubscribe links (section "Unsubscribe").</summary>
public sealed class UnsubscribeOptions
{
    public const string Section = "Unsubscribe";

    /// <summary>
    /// The domain of the mailto unsubscribe address (unsubscribe+&lt;token&gt;@domain), whose MX must reach the inbound
    /// SMTP listener. Unset: the host of the installation's PublicBaseUrl (see PublicAddress).
    /// </summary>
    public string? MailtoDomain { get; set; }

    /// <summary>Null when valid, else why not (checked at start).</summary>
    internal string? Problem()
    {
        if (!string.IsNullOrWhiteSpace(MailtoDomain) && Uri.CheckHostName(MailtoDomain.Trim()) != UriHostNameType.Dns)
            return $"Unsubscribe:MailtoDomain must be a domain name such as mail.example.com; it is '{MailtoDomain}'.";
        return null;
    }
}
