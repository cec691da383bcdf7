using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Contacts;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Lists;

/// <summary>
/// A list: its members with search and keyset paging, add a member by email, remove, rename, CSV export, imports.
/// Without a search, members are paged from the ListMembers key (ListId, ContactId); with one, from the contact
/// search's index ranges, each candidate checked against that key.
/// </summary>
public sealed class DetailsModel(SendCraftDbContext db, CurrentWorkspace current) : PageModel
{
    public sealed record MembersModel(long ListId, KeysetPage Page, string? Query, ContactSearch Search, bool CanEdit);
    public sealed record ImportRow(long Id, string FileName, ImportStatus Status, long RowsRead, DateTime CreatedAt);

    [BindProperty(SupportsGet = true, Name = "q")] public string? Query { get; set; }
    [BindProperty(SupportsGet = true)] public long? After { get; set; }
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    public ContactList List { get; private set; } = null!;
    public MembersModel Members { get; private set; } = null!;
    public IReadOnlyList<ImportRow> Imports { get; private set; } = [];
    public string? AddEmail { get; private set; }
    public string? AddError { get; private set; }
    public string? EditError { get; private set; }
    public bool CanEdit => current.Has(WorkspaceRole.Member);

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadListAsync(id, ct)) return NotFound();
        Members = await LoadMembersAsync(id, ct);
        if (Request.IsHtmx())
        {
            Response.Headers.Vary = "HX-Request";
            return Partial("_MemberTable", Members);
        }
        Imports = await db.ContactImports.AsNoTracking().Where(i => i.ListId == id).OrderByDescending(i => i.Id).Take(5)
            .Select(i => new ImportRow(i.Id, i.FileName, i.Status, i.RowsRead, i.CreatedAt)).ToListAsync(ct);
        return Page();
    }

    /// <summary>Adds a contact by email; creates the contact when the workspace has none with that address.</summary>
    public async Task<IActionResult> OnPostAddAsync(long id, string? email, CancellationToken ct)
    {
        if (!await LoadListAsync(id, ct)) return NotFound();
        if (!ContactEmail.TryNormalize(email, out var normalized, out var error))
        {
            return Answer(id, error, true);
        }
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.Email == normalized, ct);
        if (contact is null)
        {
            contact = new Contact { Email = normalized };
            db.Contacts.Add(contact);
            await db.SaveChangesAsync(ct);
        }
        var added = await ContactWrites.AddToListAsync(db, id, [contact.Id], ct);
        return Answer(id, added == 1 ? $"{normalized} added to {List.Name}." : $"{normalized} is already in {List.Name}.", added == 0);
    }

    public async Task<IActionResult> OnPostRemoveAsync(long id, long contactId, CancellationToken ct)
    {
        if (!await LoadListAsync(id, ct)) return NotFound();
        if (!await ContactWrites.RemoveFromListAsync(db, id, contactId, ct)) return NotFound();
        if (!Request.IsHtmx()) return Redirect(id, "Removed from the list.", false);
        Response.Toast("Removed from the list.", events: "list-count-changed");
        return Content("", "text/html");
    }

    public async Task<IActionResult> OnPostEditAsync(long id, string? name, string? description, CancellationToken ct)
    {
        var list = await db.ContactLists.FirstOrDefaultAsync(l => l.Id == id, ct);
        if (list is null) return NotFound();
        var error = await IndexModel.ValidateAsync(db, id, name, description, ct);
        if (error is not null) return Redirect(id, error, true);
        list.Name = name!.Trim();
        list.Description = description?.Trim() ?? "";
        await db.SaveChangesAsync(ct);
        return Redirect(id, "List saved.", false);
    }

    public async Task<IActionResult> OnGetCountAsync(long id, CancellationToken ct)
    {
        var count = await db.ContactLists.Where(l => l.Id == id).Select(l => (int?)l.MemberCount).FirstOrDefaultAsync(ct);
        return count is null ? NotFound() : Content(count.Value.ToString("N0"), "text/html");
    }

    /// <summary>The list's members (or those matching the search) as CSV, streamed.</summary>
    public async Task<IActionResult> OnGetExportAsync(long id, CancellationToken ct)
    {
        if (!await LoadListAsync(id, ct)) return NotFound();
        var search = ContactSearch.Parse(Query);
        Response.ContentType = "text/csv; charset=utf-8";
        var safeName = new string(List.Name.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
        Response.Headers.ContentDisposition = $"attachment; filename=\"list-{safeName}-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv\"";
        var members = search.Apply(db.Contacts).Where(c => db.ListMembers.Any(m => m.ListId == id && m.ContactId == c.Id));
        await ContactCsv.WriteAsync(members, Response.Body, ct);
        return new EmptyResult();
    }

    private IActionResult Answer(long id, string message, bool isError)
    {
        if (!Request.IsHtmx()) return Redirect(id, message, isError);
        Response.Toast(message, isError, isError ? [] : ["members-changed", "list-count-changed"]);
        return new NoContentResult();
    }

    private RedirectResult Redirect(long id, string message, bool isError)
    {
        TempData[isError ? "FlashError" : "Flash"] = message;
        return new RedirectResult($"/lists/{id}");
    }

    private async Task<bool> LoadListAsync(long id, CancellationToken ct)
    {
        var list = await db.ContactLists.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id, ct);
        if (list is null) return false;
        List = list;
        return true;
    }

    private async Task<MembersModel> LoadMembersAsync(long id, CancellationToken ct)
    {
        var search = ContactSearch.Parse(Query);
        var rows = search.Kind == ContactSearch.SearchKind.None
            ? db.ListMembers.AsNoTracking().Where(m => m.ListId == id).Select(m => new ContactRow
                { Id = m.ContactId, Email = m.Contact!.Email, Name = m.Contact.Name, Status = m.Contact.Status, CreatedAt = m.AddedAt })
            : (await search.ApplyForPageAsync(db.Contacts.AsNoTracking(), ct, ContactSearch.NewestFirstSource(db).AsNoTracking())).Where(c => db.ListMembers.Any(m => m.ListId == id && m.ContactId == c.Id)).AsRows();
        var page = await search.PageAsync(db.ListMembers.Where(m => m.ListId == id).Select(m => m.Contact!), rows, After, Before, ct);
        return new MembersModel(id, page, Query, search, CanEdit);
    }
}
