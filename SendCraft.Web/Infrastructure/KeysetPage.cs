using Microsoft.EntityFrameworkCore;

namespace SendCraft.Web.Infrastructure;

/// <summary>A row with an auto-increment id, newer rows having larger ids: what <see cref="KeysetPage{TRow}"/> pages by.</summary>
public interface IHasId
{
    long Id { get; }
}

/// <summary>
/// One page of a newest-first list, paged by id (keyset, not OFFSET: a page deep in millions of rows costs the same as
/// the first, and rows arriving meanwhile do not shift the pages). <paramref name="OlderCursor"/> and
/// <paramref name="NewerCursor"/> are the ids for the "older" and "newer" links, null when there is nothing that way.
/// </summary>
public sealed record KeysetPage<TRow>(List<TRow> Rows, long? OlderCursor, long? NewerCursor)
{
    /// <param name="after">From the "older" link: rows older than this id.</param>
    /// <param name="before">From the "newer" link: rows newer than this id, still shown newest first.</param>
    public static async Task<KeysetPage<TRow>> LoadAsync<TEntity>(IQueryable<TEntity> query, Func<IQueryable<TEntity>, IQueryable<TRow>> project,
        Func<TRow, long> idOf, long? after, long? before, int pageSize, CancellationToken ct = default) where TEntity : class, IHasId
    {
        // One row more than a page tells whether there is a further page.
        if (before is { } b)
        {
            var newer = await project(query.Where(m => m.Id > b).OrderBy(m => m.Id)).Take(pageSize + 1).ToListAsync(ct);
            var hasNewer = newer.Count > pageSize;
            var rows = newer.Take(pageSize).Reverse().ToList();
            return new KeysetPage<TRow>(rows, rows.Count > 0 ? idOf(rows[^1]) : null, hasNewer ? idOf(rows[0]) : null);
        }
        if (after is { } a) query = query.Where(m => m.Id < a);
        var older = await project(query.OrderByDescending(m => m.Id)).Take(pageSize + 1).ToListAsync(ct);
        var page = older.Take(pageSize).ToList();
        return new KeysetPage<TRow>(page, older.Count > pageSize ? idOf(older[pageSize - 1]) : null, after is not null && page.Count > 0 ? idOf(page[0]) : null);
    }
}
