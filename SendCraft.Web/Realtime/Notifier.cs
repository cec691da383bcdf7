using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Realtime.Components;

namespace SendCraft.Web.Realtime;

/// <summary>
/// <see cref="INotifier"/>: rows first (in a scope and DbContext of its own, so a caller's unsaved changes are never
/// committed with them), then one push per member with that member's own bell, rendered.
/// </summary>
internal sealed class Notifier(IServiceScopeFactory scopes, IHubContext<NotificationsHub> hub, ComponentHtml html, TimeProvider clock, ILogger<Notifier> log)
    : INotifier
{
    public async Task NotifyWorkspaceAsync(long workspaceId, string kind, string title, string? body, string? link, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);

        var now = clock.GetUtcNow().UtcDateTime;
        var members = await db.WorkspaceMembers.AsNoTracking().Select(m => m.UserId).ToListAsync(ct);
        var rows = members.Select(userId => new Notification
        {
            WorkspaceId = workspaceId, UserId = userId, CreatedAt = now,
            Kind = Shorten(kind.Trim(), Notification.KindMaxLength)!,
            Title = Shorten(title.Trim(), Notification.TitleMaxLength)!,
            Body = Shorten(string.IsNullOrWhiteSpace(body) ? null : body.Trim(), Notification.BodyMaxLength),
            Link = IsLocalPath(link) && link!.Length <= Notification.LinkMaxLength ? link : null,
        }).ToList();
        db.Notifications.AddRange(rows);
        await db.SaveChangesAsync(ct);

        foreach (var row in rows)
        {
            try
            {
                var bell = await NotificationQueries.BellAsync(db, workspaceId, row.UserId, ct);
                var markup = await html.RenderAsync<NotificationBell>(new Dictionary<string, object?> { [nameof(NotificationBell.Bell)] = bell, [nameof(NotificationBell.Now)] = now });
                var message = new NotificationMessage(workspaceId, row.Id, row.Kind, NotificationKinds.Level(row.Kind), row.Title, row.Body, row.Link, bell.UnreadCount, markup);
                await hub.Clients.User(row.UserId).SendAsync(NotificationsHub.NotificationMethod, message, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The row is saved and the bell shows it on the next page; a live push that failed (Redis away) is not fatal.
                log.LogWarning(e, "Could not push notification {NotificationId} to its user", row.Id);
            }
        }
    }

    /// <summary>Only a path of this app: "/x". Not "//host" or "/\host" (browsers read both as another host), nor a scheme.</summary>
    internal static bool IsLocalPath(string? link) =>
        !string.IsNullOrEmpty(link) && link[0] == '/' && (link.Length == 1 || (link[1] != '/' && link[1] != '\\'))
        && !link.Any(char.IsControl);

    private static string? Shorten(string? text, int max) => text is null || text.Length <= max ? text : text[..(max - 1)] + "…";
}

/// <summary><see cref="ICampaignProgressPublisher"/>: renders the panel once and sends it to the workspace's group.</summary>
internal sealed class CampaignProgressPublisher(IHubContext<CampaignsHub> hub, ComponentHtml html, ILogger<CampaignProgressPublisher> log)
    : ICampaignProgressPublisher
{
    public async Task PublishAsync(CampaignProgressView progress, CancellationToken ct = default)
    {
        try
        {
            var markup = await html.RenderAsync<CampaignProgressPanel>(new Dictionary<string, object?> { [nameof(CampaignProgressPanel.Progress)] = progress });
            await hub.Clients.Group(RealtimeGroups.Workspace(progress.WorkspaceId)).SendAsync(CampaignsHub.ProgressMethod,
                new CampaignProgressMessage(progress.CampaignId, progress.WorkspaceId, progress.Status, markup), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            log.LogWarning(e, "Could not push the progress of campaign {CampaignId}", progress.CampaignId);
        }
    }
}
