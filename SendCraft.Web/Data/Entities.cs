using Microsoft.AspNetCore.Identity;

namespace SendCraft.Web.Data;

/// <summary>A row that belongs to one workspace. Queries on such rows are scoped in SendCraftDbContext.</summary>
public interface ITenantOwned
{
    long WorkspaceId { get; set; }
}

public sealed class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

public sealed class Workspace
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Members without an authenticator are sent to enrolment after sign-in.</summary>
    public bool RequireTwoFactor { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

/// <summary>Ordered by power: a role can do everything the roles below it can.</summary>
public enum WorkspaceRole
{
    Viewer = 0,
    Member = 1,
    Admin = 2,
    Owner = 3,
}

public sealed class WorkspaceMember : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public Workspace? Workspace { get; set; }
    public string UserId { get; set; } = "";
    public AppUser? User { get; set; }
    public WorkspaceRole Role { get; set; }
    public DateTime JoinedAt { get; set; } = DateTime.UtcNow;
}

public sealed class Invitation : ITenantOwned
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public Workspace? Workspace { get; set; }
    public string Email { get; set; } = "";
    public WorkspaceRole Role { get; set; }
    /// <summary>SHA-256 of the link's token; the token itself is shown once and never stored.</summary>
    public string TokenHash { get; set; } = "";
    public string InvitedByUserId { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime ExpiresAt { get; set; }
    public DateTime? AcceptedAt { get; set; }
    public DateTime? RevokedAt { get; set; }

    public bool IsPending(DateTime now) => AcceptedAt is null && RevokedAt is null && ExpiresAt > now;
}
