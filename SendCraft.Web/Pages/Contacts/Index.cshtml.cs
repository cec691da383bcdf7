using System.ComponentModel.DataAnnotations;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Contacts;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Contacts;

/// <summary>
/// The contacts of the workspace: search, keyset paging, create, delete, bulk delete and bulk add-to-list (both
/// confirmed), CSV export of the search result. htmx partials; plain POSTs and redirects without JavaScript.
/// </summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace current) : PageModel
{
    public sealed class NewContactInput
    {
        [Display(Name = "Email")] public string? Email { get; set; }
        [Display(Name = "Name")] public string? Name { get; set; }
        [Display(Name = "Attributes")] public string? Attributes { get; set; }
    }

    public sealed record NewContactForm(NewContactInput Input, IReadOnlyDictionary<string, string> Errors);

    public sealed record TableModel(
        KeysetPage Page, ILookup<long, (long Id, string Name)> Lists, string? Query, ContactSearch Search, bool CanEdit,
        IReadOnlyList<(long Id, string Name)> AllLists);

    public sealed record BulkConfirmation(string Action, IReadOnlyList<long> Ids, long? ListId, string Question);

    [BindProperty(SupportsGet = true, Name = "q")] public string? Query { get; set; }
    [BindProperty(SupportsGet = true)] public long? After { get; set; }
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    public TableModel Table { get; private set; } = null!;
    public NewContactForm NewContact { get; private set; } = new(new(), new Dictionary<string, string>());
    public BulkConfirmation? Confirmation { get; private set; }
    public long TotalContacts { get; private set; }
    public bool CanEdit => current.Has(WorkspaceRole.Member);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Table = await LoadTableAsync(ct);
        if (Request.IsHtmx())
        {
            Response.Headers.Vary = "HX-Request";
            return Partial("_ContactTable", Table);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync([FromForm(Name = "Input")] NewContactInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var attributes = ContactAttributes.ParseLines(input.Attributes, out var attributeError);
        if (attributeError is not null) errors["Attributes"] = attributeError;
        var name = input.Name?.Trim() ?? "";
        if (name.Length > Data.Configurations.ContactConfiguration.NameMaxLength) errors["Name"] = "Name is longer than 200 characters.";
        else if (PlainName.Problem(name) is { } nameProblem) errors["Name"] = nameProblem;
        if (!ContactEmail.TryNormalize(input.Email, out var email, out var emailError)) errors["Email"] = emailError;
        else if (await db.Contacts.AnyAsync(c => c.Email == email, ct)) errors["Email"] = $"A contact with the email {email} already exists.";

        if (errors.Count > 0)
        {
            if (!Request.IsHtmx())
            {
                NewContact = new(input, errors);
                Table = await LoadTableAsync(ct);
                return Page();
            }
            return Partial("_NewContact", new NewContactForm(input, errors));
        }

        db.Contacts.Add(new Contact { Email = email!, Name = name, AttributesJson = ContactAttributes.Serialize(attributes) });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Created by someone else a moment ago, the unique index decided; any other failure is not "already exists".
            db.ChangeTracker.Clear();
            if (!await db.Contacts.AnyAsync(c => c.Email == email, ct)) throw;
            errors["Email"] = $"A contact with the email {email} already exists.";
            return Request.IsHtmx() ? Partial("_NewContact", new NewContactForm(input, errors)) : Redirect($"Could not add {email}: it already exists.", true);
        }
        var message = $"Contact {email} added.";
        if (!Request.IsHtmx()) return Redirect(message, false);
        Response.Toast(message, events: "contacts-changed");
        return Partial("_NewContact", new NewContactForm(new(), new Dictionary<string, string>()));
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null) return NotFound();
        await ContactWrites.DeleteAsync(db, [contact.Id], ct);
        var message = $"Contact {contact.Email} deleted.";
        if (!Request.IsHtmx()) return Redirect(message, false);
        Response.Toast(message);
        return Content("", "text/html");
    }

    /// <summary>Bulk delete or add-to-list of the selected contacts. Without <paramref name="confirmed"/> it only asks (the no-JavaScript path; htmx confirms in the browser).</summary>
    public async Task<IActionResult> OnPostBulkAsync(string? bulkAction, long[] ids, long? listId, bool confirmed, CancellationToken ct)
    {
        // Only ids of this workspace survive the (tenant-filtered) query.
        var wanted = ids.Distinct().Take(1000).ToList();
        var selected = await db.Contacts.Where(c => EF.Constant(wanted).Contains(c.Id)).Select(c => c.Id).ToListAsync(ct);
        if (selected.Count == 0) return Answer("Select at least one contact first.", true);

        ContactList? list = null;
        if (bulkAction == "add-to-list")
        {
            list = listId is null ? null : await db.ContactLists.FirstOrDefaultAsync(l => l.Id == listId, ct);
            if (list is null) return Answer("Choose the list to add the contacts to.", true);
        }
        else if (bulkAction != "delete")
        {
            return BadRequest();
        }

        if (!confirmed)
        {
            Confirmation = new BulkConfirmation(bulkAction!, selected, list?.Id, bulkAction == "delete"
                ? $"Delete {selected.Count} contact(s)? Their list memberships go too. This cannot be undone."
                : $"Add {selected.Count} contact(s) to the list {list!.Name}?");
            Table = await LoadTableAsync(ct);
            return Page();
        }

        string message;
        if (list is null)
        {
            var deleted = await ContactWrites.DeleteAsync(db, selected, ct);
            message = $"{deleted} contact(s) deleted.";
        }
        else
        {
            var added = await ContactWrites.AddToListAsync(db, list.Id, selected, ct);
            message = $"{added} contact(s) added to {list.Name}" + (added < selected.Count ? $" ({selected.Count - added} were already in it)." : ".");
        }
        return Answer(message, false);
    }

    /// <summary>The search result (or all contacts) as CSV, streamed.</summary>
    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct)
    {
        var search = ContactSearch.Parse(Query);
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"contacts-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv\"";
        await ContactCsv.WriteAsync(search.Apply(db.Contacts), Response.Body, ct);
        return new EmptyResult();
    }

    private IActionResult Answer(string message, bool isError)
    {
        if (!Request.IsHtmx()) return Redirect(message, isError);
        Response.Toast(message, isError, isError ? [] : ["contacts-changed"]);
        return new NoContentResult();
    }

    private RedirectToPageResult Redirect(string message, bool isError)
    {
        TempData[isError ? "FlashError" : "Flash"] = message;
        return RedirectToPage(new { q = Query });
    }

    private async Task<TableModel> LoadTableAsync(CancellationToken ct)
    {
        var search = ContactSearch.Parse(Query);
        var rows = (await search.ApplyForPageAsync(db.Contacts.AsNoTracking(), ct, ContactSearch.NewestFirstSource(db).AsNoTracking())).AsRows();
        var page = await search.PageAsync(db.Contacts, rows, After, Before, ct);
        var lists = await Keyset.ListsOfAsync(db, page.Rows.Select(r => r.Id).ToList(), ct);
        var allLists = await db.ContactLists.AsNoTracking().OrderBy(l => l.Name).Select(l => new { l.Id, l.Name }).Take(500).ToListAsync(ct);
        return new TableModel(page, lists, Query, search, CanEdit, allLists.Select(l => (l.Id, l.Name)).ToList());
    }
}
