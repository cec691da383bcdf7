using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Domains;

/// <summary>One domain: the DNS records to publish (DKIM, SPF, DMARC) with copy buttons, and "Check DNS".</summary>
public sealed class DetailsModel(SendCraftDbContext db, CurrentWorkspace current, DomainDnsChecker checker, SecretProtector secrets) : PageModel
{
    public sealed record AccountLink(long Id, string FromEmail, string Host, bool IsActive);

    public SendingDomain Domain { get; private set; } = new();
    public DomainDnsRecords Records { get; private set; } = null!;
    public IReadOnlyList<AccountLink> Accounts { get; private set; } = [];
    public IReadOnlyList<DomainDnsChecker.Line> CheckLines { get; private set; } = [];
    public bool CanEdit => current.Has(WorkspaceRole.Admin);
    public string DisplayName => DomainNames.ToUnicode(Domain.Name);
    /// <summary>The DKIM private key is stored but cannot be decrypted here (see SecretUnreadableException): nothing can be signed.</summary>
    public bool DkimKeyUnreadable { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id)
    {
        if (!await LoadAsync(id, tracking: false)) return NotFound();
        return Page();
    }

    /// <summary>Looks the three records up now. Any member may run it: it reads public DNS and only updates the stored result.</summary>
    [RequiresRole(WorkspaceRole.Viewer)]
    public async Task<IActionResult> OnPostCheckAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, tracking: true)) return NotFound();
        CheckLines = await checker.CheckAsync(Domain, Records, ct);
        await db.SaveChangesAsync(ct);
        if (!Request.IsHtmx()) return Redirect($"/domains/{id}");
        Response.Headers.Vary = "HX-Request";
        return Partial("_DnsCheck", this);
    }

    private async Task<bool> LoadAsync(long id, bool tracking)
    {
        var query = tracking ? db.SendingDomains : db.SendingDomains.AsNoTracking();
        var domain = await query.FirstOrDefaultAsync(d => d.Id == id);
        if (domain is null) return false;
        Domain = domain;
        DkimKeyUnreadable = !string.IsNullOrEmpty(domain.DkimPrivateKeyProtected) && !secrets.CanUnprotect(domain.DkimPrivateKeyProtected);
        Accounts = await db.SmtpAccounts.AsNoTracking().Where(a => a.DomainId == id).OrderBy(a => a.FromEmail)
            .Select(a => new AccountLink(a.Id, a.FromEmail, a.Host, a.IsActive)).ToListAsync();
        // SPF must allow the servers that deliver this domain's mail; without accounts of its own, the workspace's hosts are the best guess.
        var hosts = Accounts.Select(a => a.Host).ToList();
        if (hosts.Count == 0) hosts = await db.SmtpAccounts.AsNoTracking().Select(a => a.Host).Distinct().ToListAsync();
        Records = DomainDnsRecords.For(domain, hosts);
        CheckLines = DomainDnsChecker.Parse(domain.DnsCheckResult);
        return true;
    }
}
