using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Workspaces;

/// <summary>
/// For a signed-in user: loads their memberships, picks the active workspace (the switcher's cookie, else the
/// first), scopes the DbContext to it, and sends users who lack 2FA to enrolment when the workspace requires it.
/// </summary>
public sealed class CurrentWorkspaceMiddleware(RequestDelegate next)
{
    public const string CookieName = "SendCraft.Workspace";
    public const string EnrolmentPath = "/Account/TwoFactor/Enable";

    // Pages a user who must enrol may still reach.
    private static readonly string[] EnrolmentAllowed = ["/Account/TwoFactor", "/Account/Logout", "/healthz", "/Error"];

    public async Task InvokeAsync(HttpContext context, SendCraftDbContext db, WorkspaceScope scope, CurrentWorkspace current)
    {
        // UserManager only for signed-in users: API and anonymous requests (most of the traffic) never need one, and
        // building it per request showed in the API's profile.
        var userId = context.User.Identity?.IsAuthenticated == true
            ? context.RequestServices.GetRequiredService<UserManager<AppUser>>().GetUserId(context.User)
            : null;
        if (userId is null)
        {
            await next(context);
            return;
        }

        var memberships = await db.WorkspaceMembers.IgnoreQueryFilters()
            .Where(m => m.UserId == userId)
            .OrderBy(m => m.Workspace!.Name)
            .Select(m => new Membership(m.Id, m.WorkspaceId, m.Workspace!.Name, m.Role, m.Workspace.RequireTwoFactor))
            .ToListAsync(context.RequestAborted);
        var chosen = long.TryParse(context.Request.Cookies[CookieName], out var wanted)
            ? memberships.FirstOrDefault(m => m.WorkspaceId == wanted)
            : null;
        var active = chosen ?? memberships.FirstOrDefault();
        current.Set(userId, memberships, active);
        scope.Set(active?.WorkspaceId);

        if (active is { RequireTwoFactor: true } && !EnrolmentAllowed.Any(p => context.Request.Path.StartsWithSegments(p)))
        {
            var hasTwoFactor = await db.Users.Where(u => u.Id == userId).Select(u => u.TwoFactorEnabled).FirstOrDefaultAsync(context.RequestAborted);
            if (!hasTwoFactor)
            {
                context.Response.Redirect(EnrolmentPath + "?required=true");
                return;
            }
        }
        await next(context);
    }
}
