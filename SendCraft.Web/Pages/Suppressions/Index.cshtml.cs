using System.ComponentModel.DataAnnotations;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Suppressions;

/// <summary>
/// Addresses this workspace never sends to. Members may add one (a safe action); only admins may remove one, because
/// removing can re-mail someone who complained. Keyset paging by address: the (WorkspaceId, Email) unique index serves
/// both the prefix search and the page order, so a page costs the same on page 1 and page 1,000.
/// </summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace current, TimeProvider clock) : PageModel
{
    public const int PageSize = 50;

    public sealed record Row(long Id, string Email, SuppressionReason Reason, string? Detail, DateTime CreatedAt, bool CanRemove);

    [BindProperty(SupportsGet = true, Name = "q")] public string? Query { get; set; }
    [BindProperty(SupportsGet = true, Name = "after")] public string? After { get; set; }
    [BindProperty] public SuppressionInput Input { get; set; } = new();
    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public string? NextAfter { get; private set; }
    public bool CanAdd => current.Has(WorkspaceRole.Member);
    public bool CanRemove => current.Has(WorkspaceRole.Admin);

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnGetListAsync()
    {
        await LoadAsync();
        Response.Headers.Vary = "HX-Request";
        return Partial("_SuppressionList", this);
    }

    public async Task<IActionResult> OnPostAddAsync()
    {
        var email = (Input.Email ?? "").Trim().ToLowerInvariant();
        if (ModelState.IsValid)
        {
            var existing = await db.Suppressions.AsNoTracking().FirstOrDefaultAsync(s => s.Email == email);
            if (existing is not null)
                ModelState.AddModelError("Input.Email", $"{email} is already on the suppression list ({ReasonText(existing.Reason)}).");
        }
        if (!ModelState.IsValid)
        {
            if (Request.IsHtmx())
            {
                Response.Headers.Vary = "HX-Request";
                return Partial("_SuppressionForm", this);
            }
            await LoadAsync();
            return Page();
        }

        db.Suppressions.Add(new Suppression
        {
            Email = email, Reason = SuppressionReason.Manual, CreatedAt = clock.GetUtcNow().UtcDateTime,
            Detail = string.IsNullOrWhiteSpace(Input.Note) ? null : Input.Note.Trim(),
        });
        await db.SaveChangesAsync();
        var message = $"{email} will not be sent to from this workspace.";
        if (!Request.IsHtmx())
        {
            TempData["Flash"] = message;
            return Redirect("/suppressions");
        }
        Response.Toast(message, isError: false, "suppressions-changed");
        Input = new SuppressionInput();
        ModelState.Clear();
        return Partial("_SuppressionForm", this);
    }

    /// <summary>Admins only (members may add): removing can re-mail someone who complained.</summary>
    [RequiresRole(WorkspaceRole.Admin)]
    public async Task<IActionResult> OnPostRemoveAsync(long id)
    {
        var suppression = await db.Suppressions.FirstOrDefaultAsync(s => s.Id == id);
        if (suppression is null) return NotFound();
        db.Suppressions.Remove(suppression);
        await db.SaveChangesAsync();
        var message = $"{suppression.Email} was removed from the suppression list and can be sent to again.";
        return this.RowDeleted(message, Redirect("/suppressions"));
    }

    public static string ReasonText(SuppressionReason reason) => reason switch
    {
        SuppressionReason.HardBounce => "hard bounce",
        SuppressionReason.Complaint => "complaint",
        SuppressionReason.Unsubscribed => "unsubscribed",
        _ => "added by hand",
    };

    private async Task LoadAsync()
    {
        var query = db.Suppressions.AsNoTracking();
        var prefix = Query?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(prefix)) query = query.Where(s => s.Email.StartsWith(prefix));
        if (!string.IsNullOrEmpty(After)) query = query.Where(s => string.Compare(s.Email, After) > 0);
        var canRemove = CanRemove;
        var rows = await query.OrderBy(s => s.Email).Take(PageSize + 1)
            .Select(s => new Row(s.Id, s.Email, s.Reason, s.Detail, s.CreatedAt, canRemove))
            .ToListAsync();
        // One extra row tells whether a next page exists without counting the table.
        NextAfter = rows.Count > PageSize ? rows[PageSize - 1].Email : null;
        Rows = rows.Take(PageSize).ToList();
    }

    public sealed class SuppressionInput
    {
        [Required(ErrorMessage = "Enter an email address."), EmailAddress(ErrorMessage = "Enter a valid email address."), StringLength(254)]
        [Display(Name = "Email address")] public string? Email { get; set; }
        [StringLength(1000), Display(Name = "Note (optional)")] public string? Note { get; set; }
    }
}
