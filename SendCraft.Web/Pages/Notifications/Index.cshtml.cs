using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Realtime;
using SendCraft.Web.Realtime.Components;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Notifications;

/// <summary>
/// The signed-in user's notifications in the active workspace, newest first, keyset-paged by id. Notifications are
/// per user: every handler reads and writes only rows whose UserId is the current user (the tenant filter adds the
/// workspace), so any member role may mark their own as read and nobody can touch another member's.
/// </summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace current, ComponentHtml html, TimeProvider clock) : PageModel
{
    public const int PageSize = 30;
    /// <summary>htmx event after a change: the bell and the list reload themselves on it.</summary>
    public const string ChangedEvent = "notifications-changed";

    [BindProperty(SupportsGet = true, Name = "before")] public long? Before { get; set; }
    [BindProperty(SupportsGet = true, Name = "unread")] public bool UnreadOnly { get; set; }
    public IReadOnlyList<NotificationItemView> Items { get; private set; } = [];
    public long? NextBefore { get; private set; }
    public int UnreadCount { get; private set; }
    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>This page's list URL with its paging and filter, for links and the list's own reloads.</summary>
    public string Query(long? before, bool? unread = null)
    {
        var parts = new List<string>();
        if (unread ?? UnreadOnly) parts.Add("unread=true");
        if (before is { } b) parts.Add($"before={b}");
        return string.Join("&", parts);
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnGetListAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        Response.Headers.Vary = "HX-Request";
        return Partial("_NotificationList", this);
    }

    /// <summary>The navbar's bell, rendered again (it asks for itself on <see cref="ChangedEvent"/>).</summary>
    public async Task<IActionResult> OnGetBellAsync(CancellationToken ct)
    {
        var bell = current.Id is { } workspaceId
            ? await NotificationQueries.BellAsync(db, workspaceId, current.UserId, ct)
            : NotificationBellView.Empty(0);
        var markup = await html.RenderAsync<NotificationBell>(new Dictionary<string, object?> { [nameof(NotificationBell.Bell)] = bell, [nameof(NotificationBell.Now)] = Now });
        Response.Headers.CacheControl = "no-store";
        return Content(markup, "text/html");
    }

    public async Task<IActionResult> OnPostReadAsync(long id, CancellationToken ct)
    {
        var notification = await Mine().FirstOrDefaultAsync(n => n.Id == id, ct);
        if (notification is null) return NotFound();
        notification.ReadAt ??= Now;
        await db.SaveChangesAsync(ct);
        return Changed();
    }

    public async Task<IActionResult> OnPostReadAllAsync(CancellationToken ct)
    {
        var now = Now;
        await Mine().Where(n => n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        return Changed();
    }

    /// <summary>The current user's rows in the active workspace (the tenant filter adds the workspace).</summary>
    private IQueryable<Notification> Mine()
    {
        var userId = current.UserId;
        return db.Notifications.Where(n => n.UserId == userId);
    }

    /// <summary>htmx: nothing to swap, the event reloads the bell and the list. A plain form post: back to the list.</summary>
    private IActionResult Changed()
    {
        if (!Request.IsHtmx()) return Redirect("/notifications" + (Query(Before) is { Length: > 0 } q ? "?" + q : ""));
        Response.Headers.Vary = "HX-Request";
        Response.Headers["HX-Trigger"] = ChangedEvent;
        return new NoContentResult();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var mine = Mine().AsNoTracking();
        UnreadCount = await mine.CountAsync(n => n.ReadAt == null, ct);
        if (UnreadOnly) mine = mine.Where(n => n.ReadAt == null);
        if (Before is { } before) mine = mine.Where(n => n.Id < before);
        var rows = await mine.OrderByDescending(n => n.Id).Take(PageSize + 1).Select(NotificationQueries.Item).ToListAsync(ct);
        // One extra row tells whether a next page exists without counting.
        NextBefore = rows.Count > PageSize ? rows[PageSize - 1].Id : null;
        Items = rows.Take(PageSize).ToList();
    }
}
