using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Workspaces;

/// <summary>The navigation bar's workspace switcher posts here. Only workspaces the user belongs to can be chosen.</summary>
[NoWorkspaceRole]
public sealed class SwitchModel(CurrentWorkspace current) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public IActionResult OnPost(long workspaceId)
    {
        var membership = current.Memberships.FirstOrDefault(m => m.WorkspaceId == workspaceId);
        if (membership is null) return NotFound();
        Remember(Response, workspaceId);
        TempData["Flash"] = $"You are now working in {membership.WorkspaceName}.";
        return Redirect("/");
    }

    internal static void Remember(HttpResponse response, long workspaceId) =>
        response.Cookies.Append(CurrentWorkspaceMiddleware.CookieName, workspaceId.ToString(),
            new CookieOptions
            {
                HttpOnly = true, IsEssential = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365),
                // CookieSecurePolicy.SameAsRequest: Secure when the client's request was https (behind Nginx, as the
                // trusted proxy's X-Forwarded-Proto says; UseForwardedHeaders runs first).
                Secure = response.HttpContext.Request.IsHttps,
            });
}
