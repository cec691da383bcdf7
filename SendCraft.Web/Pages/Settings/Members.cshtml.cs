using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Settings;

/// <summary>Members (role change, removal) and invitations of the current workspace. htmx partials, plain POSTs without JavaScript.</summary>
public sealed class MembersModel(SendCraftDbContext db, CurrentWorkspace current, WorkspaceService workspaces, TimeProvider clock) : PageModel
{
    public sealed record MemberRow(long Id, string Name, string Email, WorkspaceRole Role, DateTime JoinedAt, bool IsYou, bool CanEdit);
    public sealed record PendingInvitation(long Id, string Email, WorkspaceRole Role, DateTime ExpiresAt);
    public sealed record InvitationsPanel(
        IReadOnlyList<PendingInvitation> Pending, IReadOnlyList<WorkspaceRole> AssignableRoles,
        string? NewLink = null, string? Error = null, string? Email = null, WorkspaceRole Role = WorkspaceRole.Member);

    [BindProperty(SupportsGet = true, Name = "q")] public string? Query { get; set; }
    public IReadOnlyList<MemberRow> Members { get; private set; } = [];
    public InvitationsPanel Invitations { get; private set; } = new([], []);

    private WorkspaceRole ActorRole => current.Role ?? WorkspaceRole.Viewer;

    public async Task OnGetAsync()
    {
        Members = await LoadMembersAsync(Query);
        Invitations = await LoadInvitationsAsync();
    }

    public async Task<IActionResult> OnPostRoleAsync(long id, WorkspaceRole role)
    {
        var member = await db.WorkspaceMembers.FirstOrDefaultAsync(m => m.Id == id);
        if (member is null) return NotFound();
        var error = await workspaces.ChangeRoleAsync(member, role, ActorRole);
        return await AnswerRowAsync(id, error ?? $"Role changed to {role}.", error is not null);
    }

    public async Task<IActionResult> OnPostRemoveAsync(long id)
    {
        var member = await db.WorkspaceMembers.Include(m => m.User).FirstOrDefaultAsync(m => m.Id == id);
        if (member is null) return NotFound();
        var error = await workspaces.RemoveAsync(member, ActorRole);
        if (error is not null) return await AnswerRowAsync(id, error, isError: true);

        return this.RowDeleted($"{member.User?.Email} was removed from the workspace.", RedirectToPage());
    }

    public async Task<IActionResult> OnPostInviteAsync(string? email, WorkspaceRole role)
    {
        string? error = null, link = null;
        if (string.IsNullOrWhiteSpace(email) || !new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(email.Trim()))
        {
            error = "Enter a valid email address.";
        }
        else
        {
            var (_, token, refused) = await workspaces.InviteAsync(email, role, current.UserId, ActorRole);
            error = refused;
            if (token is not null) link = $"{Request.Scheme}://{Request.Host}{Request.PathBase}/invite/{token}";
        }
        if (!Request.IsHtmx())
        {
            if (link is not null) TempData["Flash"] = $"Invitation created. Send this link (shown once): {link}";
            else TempData["FlashError"] = error;
            return RedirectToPage();
        }
        var panel = await LoadInvitationsAsync();
        return Partial("_Invitations", link is null
            ? panel with { Error = error, Email = email, Role = role }
            : panel with { NewLink = link });
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id)
    {
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == id);
        if (invitation is null) return NotFound();
        await workspaces.RevokeInvitationAsync(invitation.Id);
        if (!Request.IsHtmx()) return Redirect($"The invitation for {invitation.Email} was revoked.", false);
        Response.Toast($"The invitation for {invitation.Email} was revoked.");
        return Partial("_Invitations", await LoadInvitationsAsync());
    }

    private async Task<IActionResult> AnswerRowAsync(long id, string message, bool isError)
    {
        if (!Request.IsHtmx()) return Redirect(message, isError);
        Response.Toast(message, isError);
        var row = (await LoadMembersAsync(null, id)).SingleOrDefault();
        return row is null ? Content("", "text/html") : Partial("_MemberRow", row);
    }

    private RedirectToPageResult Redirect(string message, bool isError)
    {
        TempData[isError ? "FlashError" : "Flash"] = message;
        return RedirectToPage();
    }

    private async Task<IReadOnlyList<MemberRow>> LoadMembersAsync(string? query, long? id = null)
    {
        var members = db.WorkspaceMembers.AsNoTracking();
        if (id is not null) members = members.Where(m => m.Id == id);
        if (!string.IsNullOrWhiteSpace(query))
        {
            var q = query.Trim();
            members = members.Where(m => m.User!.DisplayName.Contains(q) || m.User.Email!.Contains(q));
        }
        var rows = await members
            .OrderByDescending(m => m.Role == WorkspaceRole.Owner).ThenBy(m => m.User!.DisplayName)
            .Select(m => new { m.Id, m.User!.DisplayName, m.User.Email, m.Role, m.JoinedAt, m.UserId })
            .Take(500)
            .ToListAsync();
        return rows.Select(m => new MemberRow(m.Id, m.DisplayName, m.Email ?? "", m.Role, m.JoinedAt, m.UserId == current.UserId,
                CanEdit: current.Has(WorkspaceRole.Admin) && (m.Role != WorkspaceRole.Owner || current.Has(WorkspaceRole.Owner))))
            .ToList();
    }

    private async Task<InvitationsPanel> LoadInvitationsAsync()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var pending = await db.Invitations.AsNoTracking()
            .Where(i => i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .OrderByDescending(i => i.CreatedAt)
            .Select(i => new PendingInvitation(i.Id, i.Email, i.Role, i.ExpiresAt))
            .ToListAsync();
        var assignable = Enum.GetValues<WorkspaceRole>().Where(r => r <= ActorRole).Reverse().ToList();
        return new InvitationsPanel(pending, assignable);
    }
}
