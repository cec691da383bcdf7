using System.Diagnostics.CodeAnalysis;
using System.Net.Mail;
using SendCraft.Web.Data.Configurations;

namespace SendCraft.Web.Contacts;

/// <summary>
/// What counts as a contact's email address, and its one stored form.
/// Valid: System.Net.Mail.MailAddress parses it as a bare address (no display name, nothing around it), at most
/// 254 characters, and the domain has at least two labels ("user@localhost" is refused: it cannot receive
/// mail from the internet) with no empty label.
/// Normalized: trimmed and lower-cased as a whole, local part included. RFC 5321 lets a server treat the local
/// part case-sensitively, but no mainstream mailbox provider does, and keeping Bob@ and bob@ as two contacts
/// mails one person twice; one contact per person is the safer error.
/// </summary>
public static class ContactEmail
{
    public static bool TryNormalize(string? input, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        var value = input?.Trim() ?? "";
        if (value.Length == 0)
        {
            error = "Email is missing.";
            return false;
        }
        if (value.Length > ContactConfiguration.EmailMaxLength)
        {
            error = $"Email is longer than {ContactConfiguration.EmailMaxLength} characters.";
            return false;
        }
        if (!MailAddress.TryCreate(value, out var address) || address.Address != value || address.DisplayName.Length > 0
            || value.Any(char.IsWhiteSpace) || !IsInternetDomain(address.Host))
        {
            error = $"'{value}' is not a valid email address.";
            return false;
        }
        normalized = value.ToLowerInvariant();
        error = null;
        return true;
    }

    public static string? Normalize(string? input) => TryNormalize(input, out var normalized, out _) ? normalized : null;

    private static bool IsInternetDomain(string host)
    {
        if (host.StartsWith('[')) return false; // address literals ([192.0.2.1]) are not used for bulk mail
        var labels = host.Split('.');
        return labels.Length >= 2 && labels.All(l => l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-');
    }
}
