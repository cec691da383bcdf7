using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Pages.Account;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Invite;

/// <summary>
/// An invitation link (/invite/{token}): a new person sets a name and password and joins; someone who already
/// has an account signs in first and then joins. The link works once and for seven days.
/// </summary>
[AllowAnonymous]
public sealed class IndexModel(
    SendCraftDbContext db, WorkspaceService workspaces, UserManager<AppUser> users, SignInManager<AppUser> signIn, TimeProvider clock)
    : PageModel
{
    [BindProperty] public AcceptInput Input { get; set; } = new();

    public string? Problem { get; private set; }
    public string Email { get; private set; } = "";
    public string WorkspaceName { get; private set; } = "";
    public WorkspaceRole Role { get; private set; }
    public bool ExistingAccount { get; private set; }
    public bool SignedInAsInvitee { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token)
    {
        await LoadAsync(token);
        return Page();
    }

    /// <summary>New account: create the user, accept, sign in.</summary>
    public async Task<IActionResult> OnPostAsync(string token)
    {
        var invitation = await LoadAsync(token);
        if (invitation is null || ExistingAccount) return Page();
        if (!ModelState.IsValid) return Page();

        await using var tx = await db.Database.BeginTransactionAsync();
        var user = new AppUser { UserName = invitation.Email, Email = invitation.Email, DisplayName = Input.DisplayName.Trim() };
        var created = await users.CreateAsync(user, Input.Password);
        if (!created.Succeeded)
        {
            foreach (var e in created.Errors) ModelState.AddModelError(IdentityErrorField.For(e, nameof(Input)), e.Description);
            return Page();
        }
        var refused = await workspaces.AcceptAsync(invitation, user.Id);
        if (refused is not null)
        {
            Problem = refused;
            return Page(); // the transaction rolls back: no orphan account
        }
        await tx.CommitAsync();
        return await EnterWorkspaceAsync(user, invitation);
    }

    /// <summary>Existing account, signed in as the invited address: just join.</summary>
    public async Task<IActionResult> OnPostJoinAsync(string token)
    {
        var invitation = await LoadAsync(token);
        if (invitation is null || !SignedInAsInvitee) return Page();
        var user = (await users.GetUserAsync(User))!;
        var refused = await workspaces.AcceptAsync(invitation, user.Id);
        if (refused is not null)
        {
            Problem = refused;
            return Page();
        }
        return await EnterWorkspaceAsync(user, invitation);
    }

    private async Task<IActionResult> EnterWorkspaceAsync(AppUser user, Invitation invitation)
    {
        if (!SignedInAsInvitee) await signIn.SignInAsync(user, isPersistent: false);
        Workspaces.SwitchModel.Remember(Response, invitation.WorkspaceId);
        TempData["Flash"] = $"Welcome to {WorkspaceName}.";
        return Redirect("/");
    }

    private async Task<Invitation?> LoadAsync(string token)
    {
        var invitation = await workspaces.FindByTokenAsync(token);
        var now = clock.GetUtcNow().UtcDateTime;
        Problem = invitation switch
        {
            null => "This invitation link is not valid. Check that you copied all of it.",
            { AcceptedAt: not null } => "This invitation has already been used. Sign in instead.",
            { RevokedAt: not null } => "This invitation was revoked. Ask the person who invited you for a new one.",
            _ when !invitation.IsPending(now) => "This invitation has expired. Ask the person who invited you for a new one.",
            _ => null,
        };
        if (Problem is not null) return null;

        Email = invitation!.Email;
        WorkspaceName = invitation.Workspace!.Name;
        Role = invitation.Role;
        var existing = await users.FindByEmailAsync(invitation.Email);
        ExistingAccount = existing is not null;
        SignedInAsInvitee = existing is not null && users.GetUserId(User) == existing.Id;
        return invitation;
    }

    public sealed class AcceptInput
    {
        [Required, StringLength(100), PlainName, Display(Name = "Your name")] public string DisplayName { get; set; } = "";
        [Required, DataType(DataType.Password)] public string Password { get; set; } = "";
        [Required, DataType(DataType.Password), Compare(nameof(Password), ErrorMessage = "The two passwords do not match."), Display(Name = "Confirm password")]
        public string ConfirmPassword { get; set; } = "";
    }
}
