using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Contacts;

/// <summary>
/// The contact search box, shared by the contacts page, the list page and the CSV export. What it matches, and
/// what it costs at a million contacts:
/// <list type="bullet">
/// <item>text with an @ (<c>ann@ex</c>): email prefix. Index (WorkspaceId, Email), a range scan.</item>
/// <item><c>key:value</c> (<c>city:Ber</c>): contacts whose attribute <c>key</c> starts with <c>value</c> (case as typed).
/// Not index-backed: attributes are a JSON text column, so this scans contacts newest first and stops at a page
/// of matches, or at <see cref="AttributeScanWindow"/> ids, whichever comes first; "Next" goes on further back
/// (a rare value would otherwise scan the whole workspace: seconds at a million contacts on MariaDB).</item>
/// <item>anything else (<c>ann</c>): email prefix or name prefix (name ignores case). Both index-backed ranges
/// (WorkspaceId, Email) and (WorkspaceId, Name), combined with UNION.</item>
/// </list>
/// Prefixes are compared as ranges (<c>x &gt;= 'ann' AND x &lt; 'ano'</c>) rather than LIKE, because SQLite only uses an
/// index for LIKE under conditions EF's translation does not meet. Substring search (<c>LIKE '%x%'</c>) is deliberately
/// not offered: it cannot use an index and would not answer in time at this scale.
/// </summary>
public sealed partial record ContactSearch(ContactSearch.SearchKind Kind, string Text, string? Key = null)
{
    public enum SearchKind { None, EmailPrefix, EmailOrNamePrefix, Attribute }

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")]
    private static partial Regex AttributePattern();

    public static ContactSearch Parse(string? query)
    {
        var q = query?.Trim() ?? "";
        if (q.Length == 0) return new(SearchKind.None, "");
        if (q.Contains('@')) return new(SearchKind.EmailPrefix, q.ToLowerInvariant());
        var attribute = AttributePattern().Match(q);
        if (attribute.Success) return new(SearchKind.Attribute, attribute.Groups[2].Value, attribute.Groups[1].Value.ToLowerInvariant());
        return new(SearchKind.EmailOrNamePrefix, q);
    }

    public string Describe() => Kind switch
    {
        SearchKind.EmailPrefix => $"emails starting with “{Text}”",
        SearchKind.EmailOrNamePrefix => $"emails or names starting with “{Text}”",
        SearchKind.Attribute => $"attribute {Key} starting with “{Text}”",
        _ => "all contacts",
    };

    /// <summary>
    /// How far back (in contact ids) one page of an attribute search looks: at most this many of the workspace's
    /// contacts are scanned per request, which keeps a page within about 100 ms on MariaDB (measured: a whole scan of
    /// a million contacts 2.1 s). Ids are shared by all workspaces, so a window may hold fewer of this workspace's.
    /// </summary>
    public const long AttributeScanWindow = 50_000;

    /// <summary>
    /// A keyset page of <paramref name="rows"/> (already searched and restricted) that, for an attribute search, scans
    /// only one <see cref="AttributeScanWindow"/> below <paramref name="after"/> (or below the newest contact of
    /// <paramref name="contacts"/>); when the window ends before the page fills, the page says how far it searched
    /// and "Next" continues from there.
    /// </summary>
    public async Task<KeysetPage> PageAsync(IQueryable<Contact> contacts, IQueryable<ContactRow> rows, long? after, long? before, CancellationToken ct,
        int pageSize = Keyset.PageSize)
    {
        if (Kind != SearchKind.Attribute) return await Keyset.PageAsync(rows, after, before, ct, pageSize);
        if (before is { } b) return await Keyset.PageAsync(rows.Where(r => r.Id < b + AttributeScanWindow), null, b, ct, pageSize);

        var top = after ?? await contacts.OrderByDescending(c => c.Id).Select(c => c.Id).FirstOrDefaultAsync(ct) + 1;
        var floor = top - AttributeScanWindow;
        var page = await Keyset.PageAsync(floor > 0 ? rows.Where(r => r.Id >= floor) : rows, after, null, ct, pageSize);
        if (floor <= 0 || page.NextAfter is not null) return page;
        var older = await contacts.AnyAsync(c => c.Id < floor, ct);
        return older ? page with { NextAfter = floor, SearchedDownTo = floor } : page;
    }

    /// <summary>Above this many prefix matches, a page is found faster by walking the newest contacts than by sorting the matches.</summary>
    public const int DenseMatches = 2000;

    /// <summary>
    /// The search shaped for one page of the newest matches. A prefix matching few contacts is read from its index
    /// range and sorted (cheap, fewer than <see cref="DenseMatches"/> rows); a prefix matching many (<c>o</c> matches
    /// a tenth of all contacts) would sort hundreds of thousands of rows for 50, so it is written so the database
    /// walks the (WorkspaceId, Id) index newest first and stops after a page: matches are then dense, and the walk short.
    /// One capped COUNT over the index range decides (measured in docs/benchmarks.md).
    /// </summary>
    public async Task<IQueryable<Contact>> ApplyForPageAsync(IQueryable<Contact> contacts, CancellationToken ct, IQueryable<Contact>? newestFirst = null)
    {
        if (Kind == SearchKind.None) return newestFirst ?? contacts;
        if (Kind is not (SearchKind.EmailPrefix or SearchKind.EmailOrNamePrefix)) return Apply(contacts);
        // Each range counted on its own, index only: a COUNT over the UNION would make MariaDB materialize whole rows first.
        var matches = await EmailPrefix(contacts, Text.ToLowerInvariant()).Take(DenseMatches).CountAsync(ct);
        if (Kind == SearchKind.EmailOrNamePrefix && matches < DenseMatches)
            matches += await NamePrefix(contacts, Text).Take(DenseMatches).CountAsync(ct);
        if (matches < DenseMatches) return Apply(contacts);
        // substr() is not sargable on either database, so the planner takes the Id index for ORDER BY ... LIMIT.
        var n = Text.Length;
        var email = Text.ToLowerInvariant();
        contacts = newestFirst ?? contacts;
        return Kind == SearchKind.EmailPrefix
            ? contacts.Where(c => c.Email.Substring(0, n) == email)
            : contacts.Where(c => c.Email.Substring(0, n) == email || c.Name.Substring(0, n).ToLower() == email);
    }

    /// <summary>
    /// The workspace's contacts for walking newest first (keyset pages by Id). On MariaDB the hint is needed: for
    /// <c>WorkspaceId = @w AND Id &lt; @after ORDER BY Id DESC LIMIT 51</c> its optimizer picks a ref lookup on the
    /// WorkspaceId part of (WorkspaceId, Id) instead of a range on both columns, and then reads every newer row
    /// before reaching the page (1.4 s in the middle of a million contacts, against a millisecond with the range).
    /// EF composes the keyset conditions around this derived table, which MariaDB merges, keeping the hint.
    /// Use it only where the walk is the plan (no search, or a dense prefix): it would stop the prefix ranges.
    /// </summary>
    public static IQueryable<Contact> NewestFirstSource(SendCraftDbContext db) => db.Database.IsMySql()
        ? db.Contacts.FromSqlRaw("SELECT * FROM `Contacts` FORCE INDEX (`IX_Contacts_WorkspaceId_Id`)")
        : db.Contacts;

    /// <summary>The contacts matching the search (all of them for no search). Order and paging are the caller's.</summary>
    public IQueryable<Contact> Apply(IQueryable<Contact> contacts)
    {
        switch (Kind)
        {
            case SearchKind.EmailPrefix:
                return EmailPrefix(contacts, Text);
            case SearchKind.Attribute:
                var fragment = ContactAttributes.SearchFragment(Key!, Text);
                return contacts.Where(c => c.AttributesJson.Contains(fragment));
            case SearchKind.EmailOrNamePrefix:
                return NamePrefix(contacts, Text).Union(EmailPrefix(contacts, Text.ToLowerInvariant()));
            default:
                return contacts;
        }
    }

    private static IQueryable<Contact> NamePrefix(IQueryable<Contact> contacts, string prefix)
    {
        var (low, high) = Range(prefix);
        return contacts.Where(c => c.Name.CompareTo(low) >= 0 && c.Name.CompareTo(high) < 0);
    }

    private static IQueryable<Contact> EmailPrefix(IQueryable<Contact> contacts, string prefix)
    {
        var (low, high) = Range(prefix);
        return contacts.Where(c => c.Email.CompareTo(low) >= 0 && c.Email.CompareTo(high) < 0);
    }

    /// <summary>[prefix, prefix with its last character incremented): every string that starts with prefix.</summary>
    internal static (string Low, string High) Range(string prefix)
    {
        var last = prefix[^1];
        var high = last == char.MaxValue ? prefix + char.MaxValue : prefix[..^1] + (char)(last + 1);
        return (prefix, high);
    }
}
