using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Contacts;
using SendCraft.Web.Data;
using SendCraft.Web.Data.Configurations;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Contacts;

/// <summary>One contact: edit email, name, status and attributes; its lists (add, remove); delete.</summary>
public sealed class DetailsModel(SendCraftDbContext db, CurrentWorkspace current) : PageModel
{
    public sealed class EditInput
    {
        public string? Email { get; set; }
        public string? Name { get; set; }
        public ContactStatus Status { get; set; }
        public string? Attributes { get; set; }
    }

    public sealed record EditForm(long Id, EditInput Input, IReadOnlyDictionary<string, string> Errors, bool CanEdit, DateTime CreatedAt, DateTime UpdatedAt);
    public sealed record ListsPanel(long ContactId, IReadOnlyList<(long Id, string Name)> Member, IReadOnlyList<(long Id, string Name)> Other, bool CanEdit);

    public EditForm Form { get; private set; } = null!;
    public ListsPanel Lists { get; private set; } = null!;
    public bool CanEdit => current.Has(WorkspaceRole.Member);

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null) return NotFound();
        Form = FormOf(contact);
        Lists = await LoadListsAsync(id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(long id, [FromForm(Name = "Input")] EditInput input, CancellationToken ct)
    {
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null) return NotFound();

        var errors = new Dictionary<string, string>();
        var attributes = ContactAttributes.ParseLines(input.Attributes, out var attributeError);
        if (attributeError is not null) errors["Attributes"] = attributeError;
        var name = input.Name?.Trim() ?? "";
        if (name.Length > ContactConfiguration.NameMaxLength) errors["Name"] = "Name is longer than 200 characters.";
        else if (PlainName.Problem(name) is { } nameProblem) errors["Name"] = nameProblem;
        if (!Enum.IsDefined(input.Status)) errors["Status"] = "Choose a status.";
        if (!ContactEmail.TryNormalize(input.Email, out var email, out var emailError)) errors["Email"] = emailError;
        else if (email != contact.Email && await db.Contacts.AnyAsync(c => c.Email == email && c.Id != id, ct))
            errors["Email"] = $"Another contact already has the email {email}.";

        if (errors.Count > 0)
        {
            var refused = new EditForm(id, input, errors, true, contact.CreatedAt, contact.UpdatedAt);
            if (Request.IsHtmx()) return Partial("_ContactForm", refused);
            Form = refused;
            Lists = await LoadListsAsync(id, ct);
            return Page();
        }

        contact.Email = email!;
        contact.Name = name;
        contact.Status = input.Status;
        contact.AttributesJson = ContactAttributes.Serialize(attributes);
        contact.UpdatedAt = DateTime.UtcNow;
        await db.SaveChangesAsync(ct);
        var message = $"Contact {contact.Email} saved.";
        if (!Request.IsHtmx()) return Redirect(id, message, false);
        Response.Toast(message);
        return Partial("_ContactForm", FormOf(contact));
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null) return NotFound();
        await ContactWrites.DeleteAsync(db, [id], ct);
        TempData["Flash"] = $"Contact {contact.Email} deleted.";
        if (Request.IsHtmx())
        {
            Response.Htmx(h => h.Redirect("/contacts"));
            return new NoContentResult();
        }
        return LocalRedirect("/contacts");
    }

    public async Task<IActionResult> OnPostAddToListAsync(long id, long? listId, CancellationToken ct)
    {
        if (!await db.Contacts.AnyAsync(c => c.Id == id, ct)) return NotFound();
        var list = listId is null ? null : await db.ContactLists.FirstOrDefaultAsync(l => l.Id == listId, ct);
        if (list is null) return await AnswerListsAsync(id, "Choose a list.", true, ct);
        await ContactWrites.AddToListAsync(db, list.Id, [id], ct);
        return await AnswerListsAsync(id, $"Added to {list.Name}.", false, ct);
    }

    public async Task<IActionResult> OnPostRemoveFromListAsync(long id, long listId, CancellationToken ct)
    {
        if (!await db.Contacts.AnyAsync(c => c.Id == id, ct)) return NotFound();
        var list = await db.ContactLists.FirstOrDefaultAsync(l => l.Id == listId, ct);
        if (list is null) return NotFound();
        await ContactWrites.RemoveFromListAsync(db, list.Id, id, ct);
        return await AnswerListsAsync(id, $"Removed from {list.Name}.", false, ct);
    }

    private async Task<IActionResult> AnswerListsAsync(long id, string message, bool isError, CancellationToken ct)
    {
        if (!Request.IsHtmx()) return Redirect(id, message, isError);
        Response.Toast(message, isError);
        return Partial("_ContactLists", await LoadListsAsync(id, ct));
    }

    private RedirectResult Redirect(long id, string message, bool isError)
    {
        TempData[isError ? "FlashError" : "Flash"] = message;
        return new RedirectResult($"/contacts/{id}");
    }

    private EditForm FormOf(Contact c) => new(c.Id,
        new EditInput { Email = c.Email, Name = c.Name, Status = c.Status, Attributes = ContactAttributes.ToLines(c.AttributesJson) },
        new Dictionary<string, string>(), CanEdit, c.CreatedAt, c.UpdatedAt);

    private async Task<ListsPanel> LoadListsAsync(long contactId, CancellationToken ct)
    {
        var lists = await db.ContactLists.AsNoTracking().OrderBy(l => l.Name)
            .Select(l => new { l.Id, l.Name, IsMember = db.ListMembers.Any(m => m.ListId == l.Id && m.ContactId == contactId) })
            .Take(500).ToListAsync(ct);
        return new ListsPanel(contactId,
            lists.Where(l => l.IsMember).Select(l => (l.Id, l.Name)).ToList(),
            lists.Where(l => !l.IsMember).Select(l => (l.Id, l.Name)).ToList(), CanEdit);
    }
}
