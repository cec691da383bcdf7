using Microsoft.AspNetCore.Authorization;
using SendCraft.Web.Data;

namespace SendCraft.Web.Workspaces;

public static class WorkspacePolicies
{
    public const string Admin = "WorkspaceAdmin";
}

public sealed record WorkspaceRoleRequirement(WorkspaceRole Minimum) : IAuthorizationRequirement;

/// <summary>Grants a requirement when the user's role in the active workspace is high enough.</summary>
public sealed class WorkspaceRoleHandler(CurrentWorkspace current) : AuthorizationHandler<WorkspaceRoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, WorkspaceRoleRequirement requirement)
    {
        if (current.Has(requirement.Minimum)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
