using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Contacts.Import;
using SendCraft.Web.Data;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Imports;

/// <summary>Step 1 of an import into a list: upload the CSV file. The file streams to disk; the next step maps its columns.</summary>
[ImportUploadLimit]
[RequiresRole(WorkspaceRole.Member)] // the upload form too, not only its post
public sealed class NewModel(SendCraftDbContext db, CurrentWorkspace current, ContactImportService imports) : PageModel
{
    public ContactList List { get; private set; } = null!;
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(long listId, CancellationToken ct)
    {
        var list = await db.ContactLists.AsNoTracking().FirstOrDefaultAsync(l => l.Id == listId, ct);
        if (list is null) return NotFound();
        List = list;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long listId, IFormFile? file, CancellationToken ct)
    {
        var list = await db.ContactLists.AsNoTracking().FirstOrDefaultAsync(l => l.Id == listId, ct);
        if (list is null) return NotFound();
        List = list;
        if (file is null || file.Length == 0)
        {
            Error = "Choose a CSV file to upload.";
            return Page();
        }
        await using var content = file.OpenReadStream();
        var import = await imports.UploadAsync(list.Id, file.FileName, content, current.UserId, ct);
        return Redirect($"/imports/{import.Id}");
    }
}
