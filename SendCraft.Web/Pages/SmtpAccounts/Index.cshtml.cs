using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Sending;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.SmtpAccounts;

/// <summary>SMTP accounts of the workspace: list, activate/deactivate, delete, and the connection test. The form is EditModel.</summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace current, SecretProtector secrets) : PageModel
{
    public sealed record AccountRow(
        long Id, string FromEmail, string FromName, string Host, int Port, SmtpSecurity Security, bool AcceptInvalidCertificate,
        string? Username, int MaxConnections, int MessagesPerSecond, int DailyLimit, bool IsActive, bool DomainActive,
        DateTime? LastUsedAt, bool CanEdit, bool Highlight = false);

    public sealed record TestPanel(AccountRow Account, ConnectionTestResult Result);

    public IReadOnlyList<AccountRow> Accounts { get; private set; } = [];
    public TestPanel? Test { get; private set; }
    public bool CanEdit => current.Has(WorkspaceRole.Admin);
    public NavArea Area => Navigation.Areas.Single(a => a.Path == "/smtp-accounts");
    [BindProperty(SupportsGet = true)] public long? Saved { get; set; }

    public async Task OnGetAsync() => Accounts = await LoadAsync();

    /// <summary>The list again, after the editor saved (HX-Trigger accounts-changed).</summary>
    public async Task<IActionResult> OnGetListAsync()
    {
        Accounts = await LoadAsync();
        Response.Headers.Vary = "HX-Request";
        return Partial("_AccountList", this);
    }

    public IActionResult OnGetCloseEditor() => Request.IsHtmx() ? Content("", "text/html") : Redirect("/smtp-accounts");

    public async Task<IActionResult> OnPostTestAsync(long id, CancellationToken ct)
    {
        var account = await db.SmtpAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (account is null) return NotFound();
        ConnectionTestResult result;
        try
        {
            result = await ConnectionTest.RunAsync(SmtpEndpoint.For(account, secrets), ConnectionTest.DefaultTimeout, ct);
        }
        catch (SecretUnreadableException e)
        {
            result = new ConnectionTestResult(ConnectionTestOutcome.Failed, "Not tested: " + e.Message);
        }
        var row = (await LoadAsync(id)).Single();
        Test = new TestPanel(row, result);
        if (!Request.IsHtmx())
        {
            Accounts = await LoadAsync();
            return Page();
        }
        Response.Headers.Vary = "HX-Request";
        return Partial("_TestResult", Test);
    }

    public async Task<IActionResult> OnPostToggleAsync(long id)
    {
        var account = await db.SmtpAccounts.Include(a => a.Domain).FirstOrDefaultAsync(a => a.Id == id);
        if (account is null) return NotFound();
        if (!account.IsActive && account.Domain is { IsActive: false })
            return await AnswerRowAsync(id, $"{account.Domain.Name} is inactive. Activate the domain first.", isError: true);
        account.IsActive = !account.IsActive;
        await db.SaveChangesAsync();
        return await AnswerRowAsync(id, $"{account.FromEmail} is {(account.IsActive ? "active" : "inactive")}.", isError: false);
    }

    /// <summary>
    /// Refused while the message log references the account (OutboundMessage → SmtpAccount is Restrict): deleting it
    /// would take the history with it, so the operator is told to deactivate it instead.
    /// </summary>
    public async Task<IActionResult> OnPostDeleteAsync(long id)
    {
        var account = await db.SmtpAccounts.FirstOrDefaultAsync(a => a.Id == id);
        if (account is null) return NotFound();
        var messages = await db.OutboundMessages.CountAsync(m => m.SmtpAccountId == id);
        if (messages > 0)
        {
            return await AnswerRowAsync(id,
                $"{account.FromEmail} cannot be deleted: {messages} message{(messages == 1 ? " in the log was" : "s in the log were")} sent through it. Deactivate it instead.",
                isError: true);
        }
        db.SmtpAccounts.Remove(account);
        await db.SaveChangesAsync();
        var message = $"SMTP account {account.FromEmail} was deleted.";
        return this.RowDeleted(message, Redirect("/smtp-accounts"));
    }

    private async Task<IActionResult> AnswerRowAsync(long id, string message, bool isError)
    {
        if (!Request.IsHtmx())
        {
            TempData[isError ? "FlashError" : "Flash"] = message;
            return Redirect("/smtp-accounts");
        }
        Response.Toast(message, isError);
        var row = (await LoadAsync(id)).SingleOrDefault();
        return row is null ? Content("", "text/html") : Partial("_AccountRow", row);
    }

    private async Task<IReadOnlyList<AccountRow>> LoadAsync(long? id = null)
    {
        var query = db.SmtpAccounts.AsNoTracking();
        if (id is not null) query = query.Where(a => a.Id == id);
        var canEdit = CanEdit;
        var rows = await query.OrderBy(a => a.FromEmail)
            .Select(a => new AccountRow(a.Id, a.FromEmail, a.FromName, a.Host, a.Port, a.Security, a.AcceptInvalidCertificate, a.Username,
                a.MaxConnections, a.MessagesPerSecond, a.DailyLimit, a.IsActive, a.Domain!.IsActive, a.LastUsedAt, canEdit, false))
            .ToListAsync();
        return rows.Select(r => r with { Highlight = r.Id == Saved }).ToList();
    }
}
