using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Workspaces;

[NoWorkspaceRole]
public sealed class NewModel(WorkspaceService workspaces, CurrentWorkspace current) : PageModel
{
    [BindProperty, Required(ErrorMessage = "Give the workspace a name."), StringLength(100), PlainName, Display(Name = "Workspace name")]
    public string Name { get; set; } = "";

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var workspace = await workspaces.CreateAsync(Name, current.UserId);
        SwitchModel.Remember(Response, workspace.Id);
        TempData["Flash"] = $"Workspace \"{workspace.Name}\" created. You are its owner.";
        return Redirect("/");
    }
}
