using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SendCraft.Web.Unsubscribe;

namespace SendCraft.Web.Pages.Unsubscribe;

/// <summary>
/// /p/{token}: the recipient's preferences, reached from the unsubscribe page or {{ preferences_url }}. Shows only the
/// masked address and the names of the workspace's lists the contact is in; leaves some of them, unsubscribes from
/// everything, or subscribes again after a mistake. Every post carries the antiforgery token (these are our own forms)
/// and answers with a redirect back here (post/redirect/get), the outcome in a flash message.
/// </summary>
[AllowAnonymous]
public sealed class PreferencesModel(UnsubscribeService unsubscribe) : PageModel
{
    public string Token { get; private set; } = "";
    public string? Problem { get; private set; }
    public string MaskedEmail { get; private set; } = "";
    public bool Unsubscribed { get; private set; }
    public IReadOnlyList<ListChoice> Lists { get; private set; } = [];

    /// <summary>The lists left ticked: the contact stays in these and leaves the others shown.</summary>
    [BindProperty] public List<long> Keep { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct)
    {
        var recipient = await LoadAsync(token, ct);
        if (recipient is null) return NotValid(token);
        Unsubscribed = await unsubscribe.IsStoppedAsync(recipient, ct);
        Lists = await unsubscribe.ListsAsync(recipient, ct);
        return Page();
    }

    /// <summary>Unsubscribe from everything (the unsubscribe page's button posts here too).</summary>
    public async Task<IActionResult> OnPostUnsubscribeAsync(string token, CancellationToken ct)
    {
        var recipient = await LoadAsync(token, ct);
        if (recipient is null) return NotValid(token);
        await unsubscribe.UnsubscribeAsync(recipient, UnsubscribeSource.Page, ct);
        return Back("You are unsubscribed: no more campaign mail from this sender will reach you.");
    }

    public async Task<IActionResult> OnPostSaveAsync(string token, CancellationToken ct)
    {
        var recipient = await LoadAsync(token, ct);
        if (recipient is null) return NotValid(token);
        var left = await unsubscribe.KeepOnlyAsync(recipient, Keep, ct);
        return Back(left == 0 ? "Your preferences are unchanged." : left == 1 ? "You left 1 list." : $"You left {left} lists.");
    }

    public async Task<IActionResult> OnPostResubscribeAsync(string token, CancellationToken ct)
    {
        var recipient = await LoadAsync(token, ct);
        if (recipient is null) return NotValid(token);
        return Back(await unsubscribe.ResubscribeAsync(recipient, ct)
            ? "You are subscribed again."
            : "This address cannot be subscribed again here: mail to it was refused or reported before. Contact the sender.");
    }

    private async Task<UnsubscribeRecipient?> LoadAsync(string token, CancellationToken ct)
    {
        var recipient = await unsubscribe.FindAsync(token, ct);
        if (recipient is null) return null;
        Token = token.Trim().ToLowerInvariant();
        MaskedEmail = PublicPages.Mask(recipient.Email);
        return recipient;
    }

    private PageResult NotValid(string token)
    {
        Problem = PublicPages.NotValid(token);
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    private RedirectToPageResult Back(string message)
    {
        TempData["Flash"] = message;
        return RedirectToPage("/Unsubscribe/Preferences", new { token = Token });
    }
}
