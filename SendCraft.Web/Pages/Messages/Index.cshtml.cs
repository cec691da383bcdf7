using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Messages;

/// <summary>
/// The message log: every outbox row of the workspace, newest first, with filters. Keyset paging by Id
/// (after = older than, before = newer than), so page 10,000 costs what page 1 costs; the
/// (WorkspaceId, Status, Id) and (WorkspaceId, Recipient, Id) indexes serve the common filters.
/// </summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace current) : PageModel
{
    public const int PageSize = 50;

    public sealed record Row(long Id, MessageStatus Status, string Recipient, string Subject, string Account, DateTime CreatedAt, int Attempts, bool IsTest = false);
    public sealed record AccountOption(long Id, string FromEmail);

    [BindProperty(SupportsGet = true)] public MessageStatus? Status { get; set; }
    [BindProperty(SupportsGet = true)] public long? Account { get; set; }
    [BindProperty(SupportsGet = true)] public string? Recipient { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true)] public long? After { get; set; }
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public IReadOnlyList<AccountOption> Accounts { get; private set; } = [];
    public long? OlderCursor { get; private set; }
    public long? NewerCursor { get; private set; }
    public bool CanCompose => current.Has(WorkspaceRole.Member);
    public bool IsFiltered => Status is not null || Account is not null || !string.IsNullOrWhiteSpace(Recipient) || From is not null || To is not null;

    public async Task OnGetAsync()
    {
        Response.Headers.Vary = "HX-Request";
        Accounts = await db.SmtpAccounts.AsNoTracking().OrderBy(a => a.FromEmail).Select(a => new AccountOption(a.Id, a.FromEmail)).ToListAsync();

        var query = db.OutboundMessages.AsNoTracking();
        if (Status is { } status) query = query.Where(m => m.Status == status);
        if (Account is { } account) query = query.Where(m => m.SmtpAccountId == account);
        if (!string.IsNullOrWhiteSpace(Recipient))
        {
            var prefix = Recipient.Trim().ToLowerInvariant();
            query = query.Where(m => m.Recipient.StartsWith(prefix));
        }
        if (From is { } from) query = query.Where(m => m.CreatedAt >= from.ToDateTime(TimeOnly.MinValue));
        if (To is { } to) query = query.Where(m => m.CreatedAt < to.AddDays(1).ToDateTime(TimeOnly.MinValue));

        var page = await KeysetPage<Row>.LoadAsync(query, Project, r => r.Id, After, Before, PageSize);
        (Rows, OlderCursor, NewerCursor) = (page.Rows, page.OlderCursor, page.NewerCursor);
    }

    private static IQueryable<Row> Project(IQueryable<OutboundMessage> query) =>
        query.Select(m => new Row(m.Id, m.Status, m.Recipient, m.Content!.Subject, m.SmtpAccount!.FromEmail, m.CreatedAt, m.Attempts, m.IsTest));

    public string PageUrl(long? after = null, long? before = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["status"] = Status?.ToString(), ["account"] = Account?.ToString(), ["recipient"] = Recipient,
            ["from"] = From?.ToString("yyyy-MM-dd"), ["to"] = To?.ToString("yyyy-MM-dd"),
            ["after"] = after?.ToString(), ["before"] = before?.ToString(),
        };
        return QueryHelpers.AddQueryString("/messages", query.Where(kv => !string.IsNullOrEmpty(kv.Value)));
    }
}
