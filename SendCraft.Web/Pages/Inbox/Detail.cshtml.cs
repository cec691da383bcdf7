using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Inbox;

/// <summary>
/// One received message: who sent it, the body (HTML in a sandboxed iframe, as the template preview shows it), its
/// attachments, its headers, what SendCraft did with it and the message it answers. Opening an unread one marks it
/// read for a member (viewers only read); mark unread and delete (with confirmation) are members' actions.
/// </summary>
public sealed class DetailModel(SendCraftDbContext db, CurrentWorkspace current) : PageModel
{
    public InboundMessage Message { get; private set; } = null!;
    public string? AnsweredSubject { get; private set; }
    public string? AnsweredRecipient { get; private set; }
    public bool CanAct => current.Has(WorkspaceRole.Member);

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var message = await db.InboundMessages.AsNoTracking().Include(m => m.Attachments).FirstOrDefaultAsync(m => m.Id == id);
        if (message is null) return NotFound();
        if (!message.IsRead && CanAct)
        {
            await db.InboundMessages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.IsRead, true));
            message.IsRead = true;
        }
        Message = message;
        if (message.OutboundMessageId is { } answered)
        {
            var sent = await db.OutboundMessages.AsNoTracking().Where(m => m.Id == answered)
                .Select(m => new { m.Recipient, m.Content!.Subject }).FirstOrDefaultAsync();
            (AnsweredRecipient, AnsweredSubject) = (sent?.Recipient, sent?.Subject);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostReadAsync(long id, bool read)
    {
        var changed = await db.InboundMessages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.IsRead, read));
        if (changed == 0) return NotFound();
        if (read) return RedirectToPage(new { id });
        TempData["Flash"] = "Marked as unread.";
        return Redirect("/inbox");
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id)
    {
        var message = await db.InboundMessages.FirstOrDefaultAsync(m => m.Id == id);
        if (message is null) return NotFound();
        db.InboundMessages.Remove(message);
        await db.SaveChangesAsync();
        TempData["Flash"] = "The message was deleted.";
        return Redirect("/inbox");
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes / (1024.0 * 1024):0.#} MB",
    };
}
