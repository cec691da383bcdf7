using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Campaigns;

/// <summary>Who a campaign goes to: members of its lists, less members of its excluded lists, once each.</summary>
public sealed record AudienceCount(long Contacts, long Unsubscribed, long Bounced, long Suppressed)
{
    /// <summary>Contacts that will get a message (before invalid addresses, which only expansion finds).</summary>
    public long Recipients => Contacts - Unsubscribed - Bounced - Suppressed;
}

public sealed class CampaignAudience(SendCraftDbContext db)
{
    /// <summary>The live count the campaign form shows, in the current workspace.</summary>
    public async Task<AudienceCount> CountAsync(IReadOnlyCollection<long> included, IReadOnlyCollection<long> excluded, CancellationToken ct)
    {
        if (included.Count == 0) return new AudienceCount(0, 0, 0, 0);
        var audience = db.Contacts.Where(c => db.ListMembers.Any(m => m.ContactId == c.Id && included.Contains(m.ListId))
                                           && !db.ListMembers.Any(m => m.ContactId == c.Id && excluded.Contains(m.ListId)));
        var byStatus = await audience.GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var suppressed = await audience.Where(c => c.Status == ContactStatus.Active && db.Suppressions.Any(s => s.Email == c.Email)).LongCountAsync(ct);
        long Of(ContactStatus s) => byStatus.Where(x => x.Key == s).Sum(x => x.Count);
        return new AudienceCount(byStatus.Sum(x => x.Count), Of(ContactStatus.Unsubscribed),
            Of(ContactStatus.Bounced) + Of(ContactStatus.Complained), suppressed);
    }

    /// <summary>
    /// The next contact ids of the audience after <paramref name="after"/>, ascending, at most <paramref name="max"/>:
    /// a keyset read per included list (each an index range on the ListMembers key), merged. Ids up to the smallest
    /// last id among lists that returned a full page are complete, so the merge never skips a contact.
    /// Runs across workspaces (the caller names the campaign's lists).
    /// </summary>
    public async Task<AudiencePage> NextPageAsync(IReadOnlyCollection<long> included, IReadOnlyCollection<long> excluded, long after, int max, CancellationToken ct)
    {
        var found = new SortedSet<long>();
        long bound = long.MaxValue;
        foreach (var list in included)
        {
            var ids = await db.ListMembers.IgnoreQueryFilters().Where(m => m.ListId == list && m.ContactId > after)
                .OrderBy(m => m.ContactId).Select(m => m.ContactId).Take(max).ToListAsync(ct);
            found.UnionWith(ids);
            if (ids.Count == max) bound = Math.Min(bound, ids[^1]);
        }
        var chunk = found.Where(id => id <= bound).Take(max).ToList();
        if (chunk.Count == 0) return new AudiencePage([], after);
        if (excluded.Count == 0) return new AudiencePage(chunk, chunk[^1]);
        var left = (await db.ListMembers.IgnoreQueryFilters().Where(m => excluded.Contains(m.ListId) && chunk.Contains(m.ContactId))
            .Select(m => m.ContactId).Distinct().ToListAsync(ct)).ToHashSet();
        return new AudiencePage(chunk.Where(id => !left.Contains(id)).ToList(), chunk[^1]);
    }
}

/// <summary>A page of the audience: the contact ids to mail, and the cursor after it (past excluded ids too).</summary>
public sealed record AudiencePage(IReadOnlyList<long> ContactIds, long Cursor)
{
    public bool IsEnd(long after) => Cursor == after;
}
