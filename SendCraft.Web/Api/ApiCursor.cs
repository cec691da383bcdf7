using System.Text;

namespace SendCraft.Web.Api;

/// <summary>
/// The opaque next_cursor of keyset-paged lists: the last id of the page, with a letter naming the list it belongs to
/// ("m" messages, "c" contacts, "l" lists, "k" campaigns), so a cursor of one list is refused by another. Base64
/// without padding, so it goes into a query string as is.
/// </summary>
public static class ApiCursor
{
    public static string Encode(char kind, long id) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"{kind}:{id}")).TrimEnd('=');

    public static long? Decode(char kind, string cursor)
    {
        try
        {
            var padded = cursor + new string('=', (4 - cursor.Length % 4) % 4);
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(padded));
            return text.Length > 2 && text[0] == kind && text[1] == ':' && long.TryParse(text[2..], out var id) && id > 0 ? id : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Reads limit and cursor, adding errors named after them; returns the page size and the id to continue below (or above).</summary>
    public static (int Take, long? After) Read(char kind, string? cursor, string? limit, int defaultLimit, int maxLimit, IDictionary<string, string[]> errors)
    {
        var take = defaultLimit;
        if (limit is not null && (!int.TryParse(limit, out take) || take < 1 || take > maxLimit))
            errors["limit"] = [$"An integer between 1 and {maxLimit}."];
        long? after = null;
        if (cursor is not null)
        {
            if (Decode(kind, cursor) is { } id) after = id;
            else errors["cursor"] = ["Not a cursor from next_cursor."];
        }
        return (take, after);
    }
}
