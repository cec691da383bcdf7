using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Settings;

/// <summary>Workspace settings (admins; the 2FA requirement is the owner's call).</summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace current) : PageModel
{
    [BindProperty] public SettingsInput Input { get; set; } = new();
    public bool IsOwner => current.Has(WorkspaceRole.Owner);

    public async Task<IActionResult> OnGetAsync()
    {
        var workspace = await LoadAsync();
        if (workspace is null) return NotFound();
        Input = new SettingsInput { Name = workspace.Name, RequireTwoFactor = workspace.RequireTwoFactor };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var workspace = await LoadAsync();
        if (workspace is null) return NotFound();
        if (!ModelState.IsValid) return Page();

        workspace.Name = Input.Name.Trim();
        if (IsOwner) workspace.RequireTwoFactor = Input.RequireTwoFactor;
        await db.SaveChangesAsync();
        TempData["Flash"] = "Workspace settings saved.";
        return RedirectToPage();
    }

    private Task<Workspace?> LoadAsync() => db.Workspaces.FirstOrDefaultAsync(w => w.Id == current.Id);

    public sealed class SettingsInput
    {
        [Required, StringLength(100), PlainName, Display(Name = "Workspace name")] public string Name { get; set; } = "";
        [Display(Name = "Require two-factor authentication for every member")] public bool RequireTwoFactor { get; set; }
    }
}
