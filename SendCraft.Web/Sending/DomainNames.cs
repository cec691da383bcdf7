using System.Globalization;
using System.Text.RegularExpressions;

namespace SendCraft.Web.Sending;

/// <summary>
/// Host-name rules for sending domains and DKIM selectors (RFC 1035 labels as relaxed by RFC 1123, IDNA 2008 via
/// IdnMapping). Domains are stored in their ASCII (punycode) form, lower-cased and without a trailing dot, because that
/// is what DNS lookups and SMTP envelopes use.
/// </summary>
public static partial class DomainNames
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex LabelPattern();

    /// <summary>Returns the normalised domain, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static string? Normalize(string? input, out string? error)
    {
        error = null;
        var name = (input ?? "").Trim();
        if (name.EndsWith('.')) name = name[..^1]; // the fully-qualified form means the same domain
        if (name.Length == 0) { error = "Enter a domain name, for example mail.example.com."; return null; }
        if (name.Contains('@')) { error = "Enter only the domain (the part after @), for example example.com."; return null; }
        if (name.Contains("://", StringComparison.Ordinal) || name.Contains('/')) { error = "Enter the domain name only, without http:// or a path."; return null; }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            error = "This is not a valid domain name: use letters, digits and hyphens, with dots between the parts.";
            return null;
        }
        if (!ascii.Contains('.')) { error = "A sending domain needs at least one dot, for example example.com."; return null; }
        if (ascii.Length > 253) { error = "A domain name can be at most 253 characters long."; return null; }
        foreach (var label in ascii.Split('.'))
        {
            if (label.Length == 0) { error = "A domain name cannot contain two dots in a row."; return null; }
            if (label.Length > 63) { error = $"The part \"{label}\" is longer than 63 characters."; return null; }
            if (!LabelPattern().IsMatch(label))
            {
                error = $"The part \"{label}\" may only contain letters, digits and hyphens, and cannot start or end with a hyphen.";
                return null;
            }
        }
        if (ascii.Split('.')[^1].All(char.IsAsciiDigit)) { error = "Enter a domain name, not an IP address."; return null; }
        return ascii;
    }

    /// <summary>The Unicode form for display (xn--bcher-kva.example shows as bücher.example).</summary>
    public static string ToUnicode(string asciiDomain)
    {
        try { return Idn.GetUnicode(asciiDomain); }
        catch (ArgumentException) { return asciiDomain; }
    }

    /// <summary>Returns the normalised selector (one DNS label, lower-case), or null with an error.</summary>
    public static string? NormalizeSelector(string? input, out string? error)
    {
        error = null;
        var selector = (input ?? "").Trim().ToLowerInvariant();
        if (selector.Length == 0) { error = "Enter a selector, for example sendcraft."; return null; }
        if (selector.Length > 63 || !LabelPattern().IsMatch(selector))
        {
            error = "The selector must be one DNS label: up to 63 letters, digits and hyphens, not starting or ending with a hyphen.";
            return null;
        }
        return selector;
    }

    /// <summary>The domain part of an email address, normalised like a sending domain; null if the address has none.</summary>
    public static string? DomainOfEmail(string email)
    {
        var at = email.LastIndexOf('@');
        return at < 1 || at == email.Length - 1 ? null : Normalize(email[(at + 1)..], out _);
    }
}
