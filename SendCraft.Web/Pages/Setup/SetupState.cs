using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Pages.Setup;

/// <summary>
/// Whether the one-time setup has happened (some user exists). Once true it stays true, so it is cached
/// and costs nothing after the first request.
/// </summary>
public sealed class SetupState
{
    private volatile bool _complete;

    public async Task<bool> IsCompleteAsync(SendCraftDbContext db, CancellationToken ct = default)
    {
        if (_complete) return true;
        _complete = await db.Users.AnyAsync(ct);
        return _complete;
    }

    public void MarkComplete() => _complete = true;
}

/// <summary>Until an owner exists, every page leads to the setup page.</summary>
public sealed class SetupRedirectMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, SetupState state, SendCraftDbContext db)
    {
        var path = context.Request.Path;
        // The REST API and its documents answer for themselves (401 problem+json without a key; no key exists before
        // setup), never with a redirect to an HTML page.
        var exempt = path.StartsWithSegments("/Setup") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/Error")
                     || path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/t");
        if (!exempt && !await state.IsCompleteAsync(db, context.RequestAborted))
        {
            context.Response.Redirect("/Setup");
            return;
        }
        await next(context);
    }
}
