using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace SendCraft.Web.Workspaces;

/// <summary>
/// Runs on every page, after antiforgery validation and model binding, before the handler: evaluates the role policy
/// that <see cref="WorkspaceRoleRules"/> names for the selected handler and answers Forbid (the cookie scheme sends the
/// browser to Access denied) when it is refused. Handlers never check roles themselves.
/// </summary>
public sealed class WorkspaceRoleFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var access = WorkspaceRoleRules.For(context.ActionDescriptor, context.HandlerMethod);
        if (access.Minimum is { } minimum)
        {
            var http = context.HttpContext;
            // Resolved per request: the role handler is scoped (it reads this request's CurrentWorkspace).
            var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
            var result = await authorization.AuthorizeAsync(http.User, WorkspacePolicies.For(minimum));
            if (!result.Succeeded)
            {
                context.Result = http.User.Identity?.IsAuthenticated == true ? new ForbidResult() : new ChallengeResult();
                return;
            }
        }
        await next();
    }
}
