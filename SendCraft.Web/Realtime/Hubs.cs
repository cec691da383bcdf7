using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Realtime;

/// <summary>
/// Notifications for the signed-in user. Nothing to call: the server sends "notification" to the user's own
/// connections (Clients.User, keyed by the Identity user id), so a user only ever receives the rows written for them.
/// </summary>
[Authorize]
public sealed class NotificationsHub : Hub
{
    public const string Path = "/hubs/notifications";
    /// <summary>The client method: one <see cref="NotificationMessage"/>.</summary>
    public const string NotificationMethod = "notification";
}

/// <summary>
/// Campaign progress for a workspace's members. A connection receives a workspace's "progress" messages only after
/// <see cref="JoinWorkspace"/>, which checks membership in the database; a request for a workspace the user is not a
/// member of is refused, so a member of workspace A never receives workspace B's events.
/// </summary>
[Authorize]
public sealed class CampaignsHub(SendCraftDbContext db) : Hub
{
    public const string Path = "/hubs/campaigns";
    /// <summary>The client method: one <see cref="CampaignProgressMessage"/>.</summary>
    public const string ProgressMethod = "progress";

    public async Task JoinWorkspace(long workspaceId)
    {
        var userId = Context.UserIdentifier ?? throw new HubException("Sign in first.");
        var isMember = await db.WorkspaceMembers.IgnoreQueryFilters().AsNoTracking()
            .AnyAsync(m => m.WorkspaceId == workspaceId && m.UserId == userId, Context.ConnectionAborted);
        if (!isMember) throw new HubException("You are not a member of this workspace.");
        await Groups.AddToGroupAsync(Context.ConnectionId, RealtimeGroups.Workspace(workspaceId), Context.ConnectionAborted);
    }

    public Task LeaveWorkspace(long workspaceId) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, RealtimeGroups.Workspace(workspaceId), Context.ConnectionAborted);
}

public static class RealtimeGroups
{
    public static string Workspace(long workspaceId) => $"workspace:{workspaceId}";
}

/// <summary>What a browser receives for a new notification: the toast's texts and the user's bell, rendered.</summary>
public sealed record NotificationMessage(long WorkspaceId, long Id, string Kind, string Level, string Title, string? Body, string? Link,
    int UnreadCount, string BellHtml);

/// <summary>What a browser receives for a campaign's progress: the panel, rendered (it replaces #campaign-progress-{id}).</summary>
public sealed record CampaignProgressMessage(long CampaignId, long WorkspaceId, string Status, string Html);
