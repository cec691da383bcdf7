using SendCraft.Web.Unsubscribe;

namespace SendCraft.Web.Pages.Unsubscribe;

/// <summary>What the recipients' pages have in common.</summary>
public static class PublicPages
{
    /// <summary>Why a token led nowhere, in words for a recipient (the status is 404).</summary>
    public static string NotValid(string? token) =>
        string.Equals(token?.Trim(), UnsubscribeLinks.SampleToken, StringComparison.OrdinalIgnoreCase)
            ? "This is a sample link from a preview or a test message. In the campaign's real messages it leads to the recipient's own page."
            : "This link is not valid. Check that you opened the whole link from the message.";

    /// <summary>
    /// The address the page is about, partly hidden ("a•••@example.com"): the recipient recognises it, while someone who
    /// was forwarded the message does not learn it from the page.
    /// </summary>
    public static string Mask(string email)
    {
        var at = email.LastIndexOf('@');
        if (at <= 0) return "•••";
        return email[0] + "•••" + email[at..];
    }
}
