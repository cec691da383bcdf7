using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Campaigns;

/// <summary>
/// The workspace's campaigns, newest first, with search by name and a status filter. Keyset paging by Id (after = older
/// than, before = newer than) on the (WorkspaceId, Id) index; sent counts for the page's campaigns in one grouped query.
/// Drafts can be deleted here.
/// </summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace current) : PageModel
{
    public const int PageSize = 25;

    public sealed record Row(long Id, string Name, CampaignStatus Status, string Subject, DateTime? ScheduledAt, string? TimeZoneId,
        DateTime CreatedAt, DateTime? FinishedAt, long Expanded, long Sent);

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public CampaignStatus? Status { get; set; }
    [BindProperty(SupportsGet = true)] public long? After { get; set; }
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public long? OlderCursor { get; private set; }
    public long? NewerCursor { get; private set; }
    public bool CanEdit => current.Has(WorkspaceRole.Member);
    public bool IsFiltered => Status is not null || !string.IsNullOrWhiteSpace(Q);

    public async Task OnGetAsync(CancellationToken ct)
    {
        Response.Headers.Vary = "HX-Request";
        var query = db.Campaigns.AsNoTracking();
        if (Status is { } status) query = query.Where(c => c.Status == status);
        if (!string.IsNullOrWhiteSpace(Q))
        {
            // LIKE: case-insensitive on both providers (SQLite for ASCII, MariaDB by collation); wildcards typed are literal.
            var pattern = "%" + Q.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(c => EF.Functions.Like(c.Name, pattern, "\\"));
        }

        // One row more than a page tells whether there is a further page.
        List<Campaign> rows;
        if (Before is { } before)
        {
            rows = await query.Where(c => c.Id > before).OrderBy(c => c.Id).Take(PageSize + 1).ToListAsync(ct);
            var hasNewer = rows.Count > PageSize;
            rows = rows.Take(PageSize).Reverse().ToList();
            NewerCursor = hasNewer ? rows[0].Id : null;
            OlderCursor = rows.Count > 0 ? rows[^1].Id : null;
        }
        else
        {
            if (After is { } after) query = query.Where(c => c.Id < after);
            rows = await query.OrderByDescending(c => c.Id).Take(PageSize + 1).ToListAsync(ct);
            OlderCursor = rows.Count > PageSize ? rows[PageSize - 1].Id : null;
            rows = rows.Take(PageSize).ToList();
            NewerCursor = After is not null && rows.Count > 0 ? rows[0].Id : null;
        }

        var ids = rows.Where(c => c.Status != CampaignStatus.Draft).Select(c => (long?)c.Id).ToList();
        var sent = ids.Count == 0 ? [] : await db.OutboundMessages.AsNoTracking()
            .Where(m => ids.Contains(m.CampaignId) && !m.IsTest && m.Status == MessageStatus.Sent)
            .GroupBy(m => m.CampaignId!.Value).Select(g => new { g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        Rows = rows.Select(c => new Row(c.Id, c.Name, c.Status, c.Subject, c.ScheduledAt, c.TimeZoneId, c.CreatedAt, c.FinishedAt,
            c.Expanded, sent.GetValueOrDefault(c.Id))).ToList();
    }

    /// <summary>Deletes a draft (never a campaign that was scheduled or has run: its messages and report stay).</summary>
    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (campaign is null) return NotFound();
        // Conditional delete: a campaign scheduled or started meanwhile is not a draft any more.
        var deleted = await db.Campaigns.Where(c => c.Id == id && c.Status == CampaignStatus.Draft).ExecuteDeleteAsync(ct);
        if (deleted == 0)
        {
            var refusal = $"Campaign “{campaign.Name}” is {campaign.Status.ToString().ToLowerInvariant()}: only drafts can be deleted.";
            if (!Request.IsHtmx()) { TempData["FlashError"] = refusal; return RedirectToPage(); }
            Response.Toast(refusal, isError: true);
            Response.Headers["HX-Reswap"] = "none";
            return new ContentResult { Content = "", ContentType = "text/html" };
        }
        return this.RowDeleted($"Campaign “{campaign.Name}” deleted.", RedirectToPage());
    }

    public string PageUrl(long? after = null, long? before = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["q"] = Q, ["status"] = Status?.ToString(), ["after"] = after?.ToString(), ["before"] = before?.ToString(),
        };
        return QueryHelpers.AddQueryString("/campaigns", query.Where(kv => !string.IsNullOrEmpty(kv.Value)));
    }
}
