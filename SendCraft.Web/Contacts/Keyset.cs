using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Contacts;

/// <summary>A contact as a table row shows it.</summary>
public sealed class ContactRow
{
    public long Id { get; init; }
    public string Email { get; init; } = "";
    public string Name { get; init; } = "";
    public ContactStatus Status { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>One page of rows, newest first, with the cursors of the pages beside it (null: no such page).</summary>
/// <param name="SearchedDownTo">
/// Set when the page looked at only part of the contacts (an attribute search scans a bounded window, see
/// ContactSearch.AttributeScanWindow): the oldest contact id it reached; "Next" then searches further back.
/// </param>
public sealed record KeysetPage(IReadOnlyList<ContactRow> Rows, long? NextAfter, long? PreviousBefore, long? SearchedDownTo = null);

/// <summary>
/// Keyset paging by Id, newest first: "Next" asks for ids below the last row's (<c>after</c>), "Previous" for ids
/// above the first row's (<c>before</c>). Each page is an index range read of PageSize + 1 rows, as fast on page
/// 20,000 as on page 1, unlike OFFSET.
/// </summary>
public static class Keyset
{
    public const int PageSize = 50;

    public static async Task<KeysetPage> PageAsync(IQueryable<ContactRow> rows, long? after, long? before, CancellationToken ct, int pageSize = PageSize)
    {
        if (before is { } b)
        {
            var newer = await rows.Where(r => r.Id > b).OrderBy(r => r.Id).Take(pageSize + 1).ToListAsync(ct);
            var hasNewer = newer.Count > pageSize;
            var page = newer.Take(pageSize).Reverse().ToList();
            if (page.Count == 0) return await PageAsync(rows, null, null, ct, pageSize);
            return new KeysetPage(page, page[^1].Id, hasNewer ? page[0].Id : null);
        }
        var query = after is { } a ? rows.Where(r => r.Id < a) : rows;
        var older = await query.OrderByDescending(r => r.Id).Take(pageSize + 1).ToListAsync(ct);
        var hasOlder = older.Count > pageSize;
        var rowsOnPage = older.Take(pageSize).ToList();
        return new KeysetPage(rowsOnPage, hasOlder ? rowsOnPage[^1].Id : null, after is not null && rowsOnPage.Count > 0 ? rowsOnPage[0].Id : null);
    }

    public static IQueryable<ContactRow> AsRows(this IQueryable<Contact> contacts) =>
        contacts.Select(c => new ContactRow { Id = c.Id, Email = c.Email, Name = c.Name, Status = c.Status, CreatedAt = c.CreatedAt });

    /// <summary>The names of the lists each of <paramref name="contactIds"/> belongs to.</summary>
    public static async Task<ILookup<long, (long Id, string Name)>> ListsOfAsync(SendCraftDbContext db, IReadOnlyCollection<long> contactIds, CancellationToken ct)
    {
        if (contactIds.Count == 0) return Array.Empty<(long, long, string)>().ToLookup(x => x.Item1, x => (x.Item2, x.Item3));
        var ids = contactIds.ToList();
        var rows = await db.ListMembers.AsNoTracking().Where(m => EF.Constant(ids).Contains(m.ContactId))
            .Select(m => new { m.ContactId, m.ListId, m.List!.Name }).ToListAsync(ct);
        return rows.OrderBy(r => r.Name).ToLookup(r => r.ContactId, r => (r.ListId, r.Name));
    }
}
