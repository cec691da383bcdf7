namespace SendCraft.Web.Sending;

/// <summary>
/// Refuses CR and LF in header values supplied by users or API callers (RFC 5322 header injection): a subject
/// such as "Hi\r\nBcc: victim@example.com" must never reach the MIME writer, even though MimeKit folds safely.
/// </summary>
public static class HeaderGuard
{
    public static bool IsSafe(string? value) => value is null || value.IndexOfAny(['\r', '\n']) < 0;

    public static void Ensure(string? value, string field)
    {
        if (!IsSafe(value)) throw new ArgumentException($"{field} must not contain line breaks.", field);
    }
}
