using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Analytics;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Messages;

/// <summary>One message: what was sent, to whom, every attempt with the server's answer; cancel or retry.</summary>
public sealed class DetailModel(SendCraftDbContext db, Outbox outbox, CurrentWorkspace current, IOptions<RetentionOptions> retention) : PageModel
{
    public OutboundMessage Message { get; private set; } = null!;
    public bool CanAct => current.Has(WorkspaceRole.Member);
    /// <summary>The message's opens and clicks, newest first (at most <see cref="MaxHits"/>).</summary>
    public IReadOnlyList<SendCraft.Web.Tracking.MessageHit> Hits { get; private set; } = [];
    public const int MaxHits = 100;
    /// <summary>Shown instead of the body once the retention job removed it (Retention:MessageBodyDays).</summary>
    public string? PurgedNote => Message.Content?.BodyPurgedAt is { } at
        ? $"Body purged after {retention.Value.MessageBodyDays} days (on {at:yyyy-MM-dd}): the retention policy keeps message bodies, attachments and headers that long. The log, attempts and events are kept."
        : null;

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var message = await db.OutboundMessages.AsNoTracking()
            .Include(m => m.Content!).ThenInclude(c => c.Attachments)
            .Include(m => m.SmtpAccount)
            .Include(m => m.AttemptLog)
            .AsSplitQuery()
            .FirstOrDefaultAsync(m => m.Id == id);
        if (message is null) return NotFound();
        Message = message;
        Hits = await SendCraft.Web.Tracking.TrackingReports.ForMessageAsync(db, message, MaxHits, HttpContext.RequestAborted);
        return Page();
    }

    public async Task<IActionResult> OnPostCancelAsync(long id)
    {
        if (!await db.OutboundMessages.AnyAsync(m => m.Id == id)) return NotFound();
        var cancelled = await outbox.CancelAsync(id);
        TempData[cancelled ? "Flash" : "FlashError"] = cancelled
            ? "The message was cancelled and will not be sent."
            : "Too late to cancel: the message is being sent or is already done.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostRetryAsync(long id)
    {
        if (!await db.OutboundMessages.AnyAsync(m => m.Id == id)) return NotFound();
        var retried = await outbox.RetryAsync(id);
        TempData[retried ? "Flash" : "FlashError"] = retried ? "The message is queued again."
            : await db.OutboundMessages.AnyAsync(m => m.Id == id && m.Content!.BodyPurgedAt != null) ? "Its body was purged by the retention policy: it cannot be sent again."
            : "Only failed or cancelled messages can be retried.";
        return RedirectToPage(new { id });
    }
}
