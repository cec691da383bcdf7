using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Realtime;

public sealed record NotificationItemView(long Id, string Kind, string Title, string? Body, string? Link, DateTime CreatedAt, bool IsRead);

/// <summary>What the bell shows: the unread count and the latest few notifications of one user in one workspace.</summary>
public sealed record NotificationBellView(long WorkspaceId, int UnreadCount, IReadOnlyList<NotificationItemView> Latest)
{
    public static NotificationBellView Empty(long workspaceId) => new(workspaceId, 0, []);
}

/// <summary>
/// Reads of a user's notifications. Filters by workspace and user explicitly (not through the tenant filter), so the
/// same query serves a page request, a hub and a background push.
/// </summary>
public static class NotificationQueries
{
    public const int BellSize = 8;

    public static IQueryable<Notification> Of(SendCraftDbContext db, long workspaceId, string userId) =>
        db.Notifications.IgnoreQueryFilters().AsNoTracking().Where(n => n.WorkspaceId == workspaceId && n.UserId == userId);

    public static async Task<NotificationBellView> BellAsync(SendCraftDbContext db, long workspaceId, string userId, CancellationToken ct = default)
    {
        var mine = Of(db, workspaceId, userId);
        var unread = await mine.CountAsync(n => n.ReadAt == null, ct);
        var latest = await mine.OrderByDescending(n => n.Id).Take(BellSize).Select(Item).ToListAsync(ct);
        return new NotificationBellView(workspaceId, unread, latest);
    }

    public static readonly System.Linq.Expressions.Expression<Func<Notification, NotificationItemView>> Item =
        n => new NotificationItemView(n.Id, n.Kind, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt != null);

    /// <summary>"5 min ago", "3 h ago", then the date: short enough for the bell.</summary>
    public static string Age(DateTime createdAtUtc, DateTime nowUtc)
    {
        var age = nowUtc - createdAtUtc;
        if (age < TimeSpan.FromMinutes(1)) return "just now";
        if (age < TimeSpan.FromHours(1)) return $"{(int)age.TotalMinutes} min ago";
        if (age < TimeSpan.FromDays(1)) return $"{(int)age.TotalHours} h ago";
        return createdAtUtc.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
    }
}
