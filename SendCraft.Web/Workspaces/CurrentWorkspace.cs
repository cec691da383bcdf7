using SendCraft.Web.Data;

namespace SendCraft.Web.Workspaces;

public sealed record Membership(long MemberId, long WorkspaceId, string WorkspaceName, WorkspaceRole Role, bool RequireTwoFactor);

/// <summary>The signed-in user's workspaces and the one they are working in, resolved once per request.</summary>
public sealed class CurrentWorkspace
{
    public IReadOnlyList<Membership> Memberships { get; private set; } = [];
    public Membership? Active { get; private set; }
    public string UserId { get; private set; } = "";

    public long? Id => Active?.WorkspaceId;
    public string Name => Active?.WorkspaceName ?? "";
    public WorkspaceRole? Role => Active?.Role;

    /// <summary>True when the user's role in the active workspace is at least <paramref name="minimum"/>.</summary>
    public bool Has(WorkspaceRole minimum) => Role is { } r && r >= minimum;

    internal void Set(string userId, IReadOnlyList<Membership> memberships, Membership? active)
    {
        UserId = userId;
        Memberships = memberships;
        Active = active;
    }
}
