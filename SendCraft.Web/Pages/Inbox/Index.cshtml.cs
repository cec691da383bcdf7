using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Inbound;

namespace SendCraft.Web.Pages.Inbox;

/// <summary>
/// What came back by mail: replies (the default view), bounces and complaints, and what could not be processed.
/// Newest first with keyset paging by Id (after = older than, before = newer than) on the (WorkspaceId, Kind, Id) and
/// (WorkspaceId, IsRead, Id) indexes; the search matches sender or subject within that order, a page at a time.
/// </summary>
public sealed class IndexModel(SendCraftDbContext db, InboundAddresses addresses) : PageModel
{
    public const int PageSize = 50;

    public sealed record Row(long Id, InboundKind Kind, string FromAddress, string FromName, string Subject, DateTime ReceivedAt, bool IsRead,
        long? OutboundMessageId, int Attachments, string? Reason);

    public static readonly IReadOnlyDictionary<string, (string Label, InboundKind[] Kinds)> Views = new Dictionary<string, (string, InboundKind[])>
    {
        ["replies"] = ("Replies", [InboundKind.Reply, InboundKind.AutoReply]),
        ["reports"] = ("Bounces and complaints", [InboundKind.Bounce, InboundKind.SoftBounce, InboundKind.Complaint, InboundKind.Report, InboundKind.Unsubscribe]),
        ["problems"] = ("Not processed", [InboundKind.Unparsed, InboundKind.Unmatched]),
        ["all"] = ("Everything", Enum.GetValues<InboundKind>()),
    };

    [BindProperty(SupportsGet = true, Name = "show")] public string? Show { get; set; }
    [BindProperty(SupportsGet = true, Name = "q")] public string? Query { get; set; }
    [BindProperty(SupportsGet = true, Name = "unread")] public bool UnreadOnly { get; set; }
    [BindProperty(SupportsGet = true)] public long? After { get; set; }
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public long? OlderCursor { get; private set; }
    public long? NewerCursor { get; private set; }
    public int UnreadReplies { get; private set; }
    public string? ReplyAddress { get; private set; }
    public string View => Show is { } s && Views.ContainsKey(s) ? s : "replies";
    public bool IsFiltered => UnreadOnly || !string.IsNullOrWhiteSpace(Query);

    public async Task OnGetAsync()
    {
        Response.Headers.Vary = "HX-Request";
        ReplyAddress = ReplyAddressOf();
        var kinds = Views[View].Kinds;
        var query = db.InboundMessages.AsNoTracking().Where(m => kinds.Contains(m.Kind));
        if (UnreadOnly) query = query.Where(m => !m.IsRead);
        if (!string.IsNullOrWhiteSpace(Query))
        {
            var pattern = "%" + Query.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(m => EF.Functions.Like(m.FromAddress, pattern, "\\") || EF.Functions.Like(m.FromName, pattern, "\\")
                                     || EF.Functions.Like(m.Subject, pattern, "\\"));
        }

        var page = await KeysetPage<Row>.LoadAsync(query, Project, r => r.Id, After, Before, PageSize);
        (Rows, OlderCursor, NewerCursor) = (page.Rows, page.OlderCursor, page.NewerCursor);
        UnreadReplies = await db.InboundMessages.CountAsync(m => !m.IsRead && (m.Kind == InboundKind.Reply || m.Kind == InboundKind.AutoReply));
    }

    private string? ReplyAddressOf() => db.CurrentWorkspaceId is { } workspace ? addresses.ReplyAddressFor(workspace) : null;

    private static IQueryable<Row> Project(IQueryable<InboundMessage> query) =>
        query.Select(m => new Row(m.Id, m.Kind, m.FromAddress, m.FromName, m.Subject, m.ReceivedAt, m.IsRead, m.OutboundMessageId, m.Attachments.Count, m.Reason));

    public string PageUrl(long? after = null, long? before = null, string? show = null, bool? unread = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["show"] = show ?? (View == "replies" ? null : View), ["q"] = Query, ["unread"] = (unread ?? UnreadOnly) ? "true" : null,
            ["after"] = after?.ToString(), ["before"] = before?.ToString(),
        };
        return QueryHelpers.AddQueryString("/inbox", query.Where(kv => !string.IsNullOrEmpty(kv.Value)));
    }

    public static (string Text, string Css) KindBadge(InboundKind kind) => kind switch
    {
        InboundKind.Reply => ("Reply", "text-bg-primary"),
        InboundKind.AutoReply => ("Auto-reply", "text-bg-secondary"),
        InboundKind.Bounce => ("Hard bounce", "text-bg-danger"),
        InboundKind.SoftBounce => ("Soft bounce", "text-bg-warning"),
        InboundKind.Complaint => ("Complaint", "text-bg-danger"),
        InboundKind.Unsubscribe => ("Unsubscribe", "text-bg-info"),
        InboundKind.Report => ("Report", "text-bg-light border"),
        InboundKind.Unparsed => ("Not readable", "text-bg-dark"),
        _ => ("Unmatched", "text-bg-dark"),
    };
}
