using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Pages.Account;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Setup;

/// <summary>The one-time setup: the first owner and workspace. Gone (404) once any user exists, for GET and POST alike.</summary>
[AllowAnonymous]
public sealed class IndexModel(
    SendCraftDbContext db, SetupState setup, UserManager<AppUser> users, SignInManager<AppUser> signIn, WorkspaceService workspaces)
    : PageModel
{
    [BindProperty] public SetupInput Input { get; set; } = new();

    public async Task<IActionResult> OnGetAsync() => await setup.IsCompleteAsync(db) ? NotFound() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await setup.IsCompleteAsync(db)) return NotFound();
        if (!ModelState.IsValid) return Page();

        // A transaction, so two racing first visitors cannot both become owner of an installation.
        await using var tx = await db.Database.BeginTransactionAsync();
        if (await setup.IsCompleteAsync(db)) return NotFound();
        var user = new AppUser { UserName = Input.Email.Trim(), Email = Input.Email.Trim(), DisplayName = Input.DisplayName.Trim() };
        var created = await users.CreateAsync(user, Input.Password);
        if (!created.Succeeded)
        {
            foreach (var e in created.Errors) ModelState.AddModelError(IdentityErrorField.For(e, nameof(Input)), e.Description);
            return Page();
        }
        var workspace = await workspaces.CreateAsync(Input.WorkspaceName, user.Id);
        await tx.CommitAsync();
        setup.MarkComplete();

        await signIn.SignInAsync(user, isPersistent: false);
        Workspaces.SwitchModel.Remember(Response, workspace.Id);
        TempData["Flash"] = $"Welcome, {user.DisplayName}. Your workspace \"{workspace.Name}\" is ready. We recommend turning on two-factor authentication now.";
        return Redirect("/");
    }

    public sealed class SetupInput
    {
        [Required, StringLength(100), PlainName, Display(Name = "Your name")]
        public string DisplayName { get; set; } = "";

        [Required, EmailAddress, StringLength(256), Display(Name = "Email")]
        public string Email { get; set; } = "";

        [Required, DataType(DataType.Password), Display(Name = "Password")]
        public string Password { get; set; } = "";

        [Required, DataType(DataType.Password), Compare(nameof(Password), ErrorMessage = "The two passwords do not match."), Display(Name = "Confirm password")]
        public string ConfirmPassword { get; set; } = "";

        [Required, StringLength(100), PlainName, Display(Name = "Workspace name")]
        public string WorkspaceName { get; set; } = "";
    }
}
