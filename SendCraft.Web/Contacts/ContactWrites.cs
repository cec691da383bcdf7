using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Contacts;

/// <summary>
/// Writes that touch list membership, so that ContactList.MemberCount stays equal to the number of members.
/// Each runs in one transaction: its own, or the caller's when one is open (the API's Idempotency-Key keeps the
/// request's writes and its stored answer in one transaction). Callers pass ids already checked against the current workspace.
/// </summary>
public static class ContactWrites
{
    public static async Task<int> DeleteAsync(SendCraftDbContext db, IReadOnlyCollection<long> contactIds, CancellationToken ct)
    {
        var ids = contactIds.ToList();
        await using var tx = await BeginAsync(db, ct);
        var perList = await db.ListMembers.Where(m => EF.Constant(ids).Contains(m.ContactId))
            .GroupBy(m => m.ListId).Select(g => new { ListId = g.Key, Count = g.Count() }).ToListAsync(ct);
        foreach (var l in perList)
        {
            await db.ContactLists.Where(x => x.Id == l.ListId).ExecuteUpdateAsync(s => s.SetProperty(x => x.MemberCount, x => x.MemberCount - l.Count), ct);
        }
        await db.ListMembers.Where(m => EF.Constant(ids).Contains(m.ContactId)).ExecuteDeleteAsync(ct);
        var deleted = await db.Contacts.Where(c => EF.Constant(ids).Contains(c.Id)).ExecuteDeleteAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
        return deleted;
    }

    /// <summary>Adds the contacts to the list; those already in it are left alone. Returns how many were added.</summary>
    public static async Task<int> AddToListAsync(SendCraftDbContext db, long listId, IReadOnlyCollection<long> contactIds, CancellationToken ct)
    {
        var ids = contactIds.ToList();
        await using var tx = await BeginAsync(db, ct);
        var already = await db.ListMembers.Where(m => m.ListId == listId && EF.Constant(ids).Contains(m.ContactId)).Select(m => m.ContactId).ToListAsync(ct);
        var toAdd = ids.Except(already).ToList();
        foreach (var id in toAdd) db.ListMembers.Add(new ListMember { ListId = listId, ContactId = id });
        await db.SaveChangesAsync(ct);
        if (toAdd.Count > 0)
        {
            await db.ContactLists.Where(l => l.Id == listId).ExecuteUpdateAsync(s => s.SetProperty(l => l.MemberCount, l => l.MemberCount + toAdd.Count), ct);
        }
        if (tx is not null) await tx.CommitAsync(ct);
        return toAdd.Count;
    }

    public static async Task<bool> RemoveFromListAsync(SendCraftDbContext db, long listId, long contactId, CancellationToken ct)
    {
        await using var tx = await BeginAsync(db, ct);
        var removed = await db.ListMembers.Where(m => m.ListId == listId && m.ContactId == contactId).ExecuteDeleteAsync(ct);
        if (removed > 0)
        {
            await db.ContactLists.Where(l => l.Id == listId).ExecuteUpdateAsync(s => s.SetProperty(l => l.MemberCount, l => l.MemberCount - removed), ct);
        }
        if (tx is not null) await tx.CommitAsync(ct);
        return removed > 0;
    }

    /// <summary>Deletes the list and its memberships; the contacts stay.</summary>
    public static async Task DeleteListAsync(SendCraftDbContext db, long listId, CancellationToken ct)
    {
        await using var tx = await BeginAsync(db, ct);
        await db.ListMembers.Where(m => m.ListId == listId).ExecuteDeleteAsync(ct);
        await db.ContactLists.Where(l => l.Id == listId).ExecuteDeleteAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
    }

    /// <summary>A transaction of our own, or null when the caller's is open (it commits or rolls back everything).</summary>
    private static async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction?> BeginAsync(SendCraftDbContext db, CancellationToken ct) =>
        db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
}
