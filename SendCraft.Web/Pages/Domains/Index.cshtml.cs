using System.ComponentModel.DataAnnotations;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Sending;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Domains;

/// <summary>Sending domains of the workspace: list, add (with a new DKIM key), activate/deactivate, delete. Admins edit; everyone else reads.</summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace current, SecretProtector secrets) : PageModel
{
    public sealed record DomainRow(long Id, string Name, string Selector, bool IsActive, int AccountCount, DateTime? DnsCheckedAt, bool? DnsOk, bool CanEdit)
    {
        public string DisplayName => DomainNames.ToUnicode(Name);
    }

    [BindProperty] public DomainInput Input { get; set; } = new();
    public IReadOnlyList<DomainRow> Domains { get; private set; } = [];
    public bool CanEdit => current.Has(WorkspaceRole.Admin);
    public NavArea Area => Navigation.Areas.Single(a => a.Path == "/domains");

    public async Task OnGetAsync() => Domains = await LoadAsync();

    public async Task<IActionResult> OnPostCreateAsync()
    {
        var name = DomainNames.Normalize(Input.Name, out var nameError);
        var selector = DomainNames.NormalizeSelector(Input.Selector, out var selectorError);
        if (nameError is not null) ModelState.AddModelError("Input.Name", nameError);
        if (selectorError is not null) ModelState.AddModelError("Input.Selector", selectorError);
        if (name is not null && await db.SendingDomains.AnyAsync(d => d.Name == name))
            ModelState.AddModelError("Input.Name", $"{name} is already a sending domain in this workspace.");
        if (!ModelState.IsValid) return await FormAgainAsync();

        var keys = DkimKeys.Generate();
        var domain = new SendingDomain
        {
            Name = name!, DkimSelector = selector!, IsActive = true,
            DkimPrivateKeyProtected = secrets.Protect(keys.PrivateKeyPem), DkimPublicKey = keys.PublicKeyBase64,
        };
        db.SendingDomains.Add(domain);
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException)
        {
            // Two admins adding the same domain at once: the unique index decides, the loser gets the same message.
            // Any other failure is not "already a sending domain": it goes to the error page and the log.
            db.ChangeTracker.Clear();
            if (!await db.SendingDomains.AnyAsync(d => d.Name == name)) throw;
            ModelState.AddModelError("Input.Name", $"{name} is already a sending domain in this workspace.");
            return await FormAgainAsync();
        }

        TempData["Flash"] = $"{name} was added with a new DKIM key. Publish the DNS records below, then check them.";
        if (!Request.IsHtmx()) return Redirect($"/domains/{domain.Id}");
        Response.Htmx(h => h.Redirect($"/domains/{domain.Id}"));
        return new NoContentResult();
    }

    public async Task<IActionResult> OnPostToggleAsync(long id)
    {
        var domain = await db.SendingDomains.FirstOrDefaultAsync(d => d.Id == id);
        if (domain is null) return NotFound();
        domain.IsActive = !domain.IsActive;
        await db.SaveChangesAsync();
        var message = domain.IsActive
            ? $"{domain.Name} is active again."
            : $"{domain.Name} is inactive: its SMTP accounts cannot be saved or used until it is active again.";
        return await AnswerRowAsync(id, message, isError: false);
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id)
    {
        var domain = await db.SendingDomains.FirstOrDefaultAsync(d => d.Id == id);
        if (domain is null) return NotFound();
        var accounts = await db.SmtpAccounts.CountAsync(a => a.DomainId == id);
        if (accounts > 0)
        {
            var refusal = $"{domain.Name} cannot be deleted while {accounts} SMTP account{(accounts == 1 ? " uses" : "s use")} it. Delete or move {(accounts == 1 ? "that account" : "those accounts")} first, or deactivate the domain.";
            return await AnswerRowAsync(id, refusal, isError: true);
        }
        db.SendingDomains.Remove(domain);
        await db.SaveChangesAsync();
        var message = $"{domain.Name} and its DKIM key were deleted.";
        return this.RowDeleted(message, Redirect("/domains"));
    }

    private async Task<IActionResult> FormAgainAsync()
    {
        if (Request.IsHtmx())
        {
            Response.Headers.Vary = "HX-Request";
            return Partial("_DomainForm", this);
        }
        Domains = await LoadAsync();
        return Page();
    }

    private async Task<IActionResult> AnswerRowAsync(long id, string message, bool isError)
    {
        if (!Request.IsHtmx())
        {
            TempData[isError ? "FlashError" : "Flash"] = message;
            return Redirect(Request.Headers.Referer.FirstOrDefault() is { } back && back.Contains($"/domains/{id}") ? $"/domains/{id}" : "/domains");
        }
        Response.Toast(message, isError);
        var row = (await LoadAsync(id)).SingleOrDefault();
        return row is null ? Content("", "text/html") : Partial("_DomainRow", row);
    }

    private async Task<IReadOnlyList<DomainRow>> LoadAsync(long? id = null)
    {
        var query = db.SendingDomains.AsNoTracking();
        if (id is not null) query = query.Where(d => d.Id == id);
        var rows = await query.OrderBy(d => d.Name)
            .Select(d => new
            {
                d.Id, d.Name, d.DkimSelector, d.IsActive, d.DnsCheckedAt, d.DnsCheckResult,
                Accounts = db.SmtpAccounts.Count(a => a.DomainId == d.Id),
            })
            .ToListAsync();
        return rows.Select(d => new DomainRow(d.Id, d.Name, d.DkimSelector, d.IsActive, d.Accounts, d.DnsCheckedAt,
                d.DnsCheckedAt is null ? null : DomainDnsChecker.Parse(d.DnsCheckResult).All(l => l.Ok), CanEdit))
            .ToList();
    }

    public sealed class DomainInput
    {
        [Display(Name = "Domain name")] public string? Name { get; set; }
        [Display(Name = "DKIM selector")] public string? Selector { get; set; } = "sendcraft";
    }
}
