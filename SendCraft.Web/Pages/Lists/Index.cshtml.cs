using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Contacts;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Lists;

/// <summary>The workspace's lists with their member counts (a maintained column, so this page costs the same at a million members); create and delete.</summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace current) : PageModel
{
    public sealed record ListRow(long Id, string Name, string Description, int MemberCount, DateTime CreatedAt);
    public sealed record NewListForm(string? Name, string? Description, string? Error);

    public IReadOnlyList<ListRow> Lists { get; private set; } = [];
    public NewListForm NewList { get; private set; } = new(null, null, null);
    public bool CanEdit => current.Has(WorkspaceRole.Member);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Lists = await LoadAsync(ct);
        if (Request.IsHtmx())
        {
            Response.Headers.Vary = "HX-Request";
            return Partial("_ListTable", this);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(string? name, string? description, CancellationToken ct)
    {
        var error = await ValidateAsync(db, null, name, description, ct);
        if (error is not null)
        {
            if (Request.IsHtmx()) return Partial("_NewList", new NewListForm(name, description, error));
            NewList = new NewListForm(name, description, error);
            Lists = await LoadAsync(ct);
            return Page();
        }
        db.ContactLists.Add(new ContactList { Name = name!.Trim(), Description = description?.Trim() ?? "" });
        await db.SaveChangesAsync(ct);
        var message = $"List {name!.Trim()} created.";
        if (!Request.IsHtmx())
        {
            TempData["Flash"] = message;
            return RedirectToPage();
        }
        Response.Toast(message, events: "lists-changed");
        return Partial("_NewList", new NewListForm(null, null, null));
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        var list = await db.ContactLists.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (list is null) return NotFound();
        // Memberships go with the list; the contacts stay.
        await ContactWrites.DeleteListAsync(db, id, ct);
        var message = $"List {list.Name} deleted. Its contacts were kept.";
        return this.RowDeleted(message, RedirectToPage());
    }

    /// <summary>The list rules (Contacts/ContactListRules), as one message for the form.</summary>
    internal static async Task<string?> ValidateAsync(SendCraftDbContext db, long? id, string? name, string? description, CancellationToken ct) =>
        (await ContactListRules.CheckAsync(db, id, name, description, ct))?.Message;

    private async Task<IReadOnlyList<ListRow>> LoadAsync(CancellationToken ct) =>
        await db.ContactLists.AsNoTracking().OrderBy(l => l.Name)
            .Select(l => new ListRow(l.Id, l.Name, l.Description, l.MemberCount, l.CreatedAt))
            .ToListAsync(ct);
}
