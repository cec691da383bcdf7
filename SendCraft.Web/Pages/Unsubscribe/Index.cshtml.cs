using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SendCraft.Web.Unsubscribe;

namespace SendCraft.Web.Pages.Unsubscribe;

/// <summary>
/// GET /u/{token}, the List-Unsubscribe URL opened in a browser: a confirmation page only. Link scanners and mail
/// security gateways fetch every URL of a message, so a GET must unsubscribe nobody; the button posts (with an
/// antiforgery token) to the preferences page. Mail clients' one-click POST to the same URL is UnsubscribeSetup.MapUnsubscribe.
/// </summary>
[AllowAnonymous]
public sealed class IndexModel(UnsubscribeService unsubscribe) : PageModel
{
    public string Token { get; private set; } = "";
    public string? Problem { get; private set; }
    public string MaskedEmail { get; private set; } = "";
    public bool AlreadyUnsubscribed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct)
    {
        var recipient = await unsubscribe.FindAsync(token, ct);
        if (recipient is null)
        {
            Problem = PublicPages.NotValid(token);
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        Token = token.Trim().ToLowerInvariant();
        MaskedEmail = PublicPages.Mask(recipient.Email);
        AlreadyUnsubscribed = await unsubscribe.IsStoppedAsync(recipient, ct);
        return Page();
    }
}
