using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Workspaces;

/// <summary>The rules of workspace membership: creating workspaces, invitations, roles, and the last-owner rule.</summary>
public sealed class WorkspaceService(SendCraftDbContext db, WorkspaceScope scope, TimeProvider clock)
{
    public async Task<Workspace> CreateAsync(string name, string ownerUserId)
    {
        var workspace = new Workspace { Name = name.Trim(), CreatedAt = Now };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        using (scope.Enter(workspace.Id))
        {
            db.WorkspaceMembers.Add(new WorkspaceMember { UserId = ownerUserId, Role = WorkspaceRole.Owner, JoinedAt = Now });
            await db.SaveChangesAsync();
        }
        return workspace;
    }

    /// <summary>Creates a single-use invitation in the current workspace and returns the token for its link.</summary>
    public async Task<(Invitation? Invitation, string? Token, string? Error)> InviteAsync(string email, WorkspaceRole role, string invitedBy, WorkspaceRole inviterRole)
    {
        email = email.Trim();
        if (role > inviterRole) return (null, null, $"You cannot invite someone as {role}: that is above your own role.");
        var normalized = email.ToUpperInvariant();
        if (await db.WorkspaceMembers.AnyAsync(m => m.User!.NormalizedEmail == normalized))
            return (null, null, $"{email} is already a member of this workspace.");

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var invitation = new Invitation
        {
            Email = email,
            Role = role,
            TokenHash = HashToken(token),
            InvitedByUserId = invitedBy,
            CreatedAt = Now,
            ExpiresAt = Now + Invitation.Lifetime,
        };
        db.Invitations.Add(invitation);
        await db.SaveChangesAsync();
        return (invitation, token, null);
    }

    /// <summary>Finds an invitation by its link token, in whichever workspace it belongs to.</summary>
    public Task<Invitation?> FindByTokenAsync(string token)
    {
        var hash = HashToken(token);
        return db.Invitations.IgnoreQueryFilters().Include(i => i.Workspace).FirstOrDefaultAsync(i => i.TokenHash == hash);
    }

    /// <summary>
    /// Marks the invitation used and makes the user a member. The conditional update is what makes the link
    /// single-use: of two concurrent accepts, only one changes the row.
    /// </summary>
    public async Task<string?> AcceptAsync(Invitation invitation, string userId)
    {
        var now = Now;
        // Joins the caller's transaction when there is one (a new account is created in the same unit of work).
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync() : null;
        var claimed = await db.Invitations.IgnoreQueryFilters()
            .Where(i => i.Id == invitation.Id && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.AcceptedAt, now));
        if (claimed == 0) return "This invitation has already been used, was revoked, or has expired.";

        using (scope.Enter(invitation.WorkspaceId))
        {
            if (!await db.WorkspaceMembers.AnyAsync(m => m.UserId == userId))
            {
                db.WorkspaceMembers.Add(new WorkspaceMember { UserId = userId, Role = invitation.Role, JoinedAt = now });
                await db.SaveChangesAsync();
            }
        }
        if (tx is not null) await tx.CommitAsync();
        return null;
    }

    /// <summary>Revokes an invitation of the current workspace; its link stops working. Revoking twice changes nothing.</summary>
    public async Task RevokeInvitationAsync(long invitationId)
    {
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == invitationId);
        if (invitation is null) return;
        invitation.RevokedAt ??= Now;
        await db.SaveChangesAsync();
    }

    /// <summary>Changes a member's role in the current workspace. Null on success, else the reason it was refused.</summary>
    public async Task<string?> ChangeRoleAsync(WorkspaceMember member, WorkspaceRole newRole, WorkspaceRole actorRole)
    {
        if (member.Role == newRole) return null;
        if (actorRole < WorkspaceRole.Owner && (member.Role == WorkspaceRole.Owner || newRole == WorkspaceRole.Owner))
            return "Only an owner can grant or change the Owner role.";
        if (member.Role == WorkspaceRole.Owner && await IsLastOwnerAsync(member))
            return "A workspace needs at least one owner: make someone else owner first.";
        member.Role = newRole;
        await db.SaveChangesAsync();
        return null;
    }

    public async Task<string?> RemoveAsync(WorkspaceMember member, WorkspaceRole actorRole)
    {
        if (member.Role == WorkspaceRole.Owner && actorRole < WorkspaceRole.Owner)
            return "Only an owner can remove an owner.";
        if (member.Role == WorkspaceRole.Owner && await IsLastOwnerAsync(member))
            return "The last owner cannot be removed: make someone else owner first.";
        db.WorkspaceMembers.Remove(member);
        await db.SaveChangesAsync();
        return null;
    }

    private async Task<bool> IsLastOwnerAsync(WorkspaceMember member) =>
        !await db.WorkspaceMembers.AnyAsync(m => m.Role == WorkspaceRole.Owner && m.Id != member.Id);

    internal static string HashToken(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
