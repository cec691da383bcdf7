using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using SendCraft.Web.Data;

namespace SendCraft.Web.Workspaces;

/// <summary>One policy per workspace role: Viewer reads, Member works, Admin configures, Owner owns. Each role includes those below it.</summary>
public static class WorkspacePolicies
{
    public const string Viewer = "WorkspaceViewer";
    public const string Member = "WorkspaceMember";
    public const string Admin = "WorkspaceAdmin";
    public const string Owner = "WorkspaceOwner";

    public static string For(WorkspaceRole role) => role switch
    {
        WorkspaceRole.Viewer => Viewer,
        WorkspaceRole.Member => Member,
        WorkspaceRole.Admin => Admin,
        WorkspaceRole.Owner => Owner,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "No policy for this role."),
    };

    /// <summary>
    /// Registers the fallback policy (every page needs a signed-in user unless it says [AllowAnonymous]), the four role
    /// policies, and the handler that checks the role in the active workspace.
    /// </summary>
    public static IServiceCollection AddWorkspaceAuthorization(this IServiceCollection services)
    {
        var builder = services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        foreach (var role in Enum.GetValues<WorkspaceRole>())
            builder.AddPolicy(For(role), p => p.RequireAuthenticatedUser().AddRequirements(new WorkspaceRoleRequirement(role)));
        services.AddScoped<IAuthorizationHandler, WorkspaceRoleHandler>();
        return services;
    }

    /// <summary>Puts every page handler under the central rule (<see cref="WorkspaceRoleRules"/>), enforced by <see cref="WorkspaceRoleFilter"/>.</summary>
    public static PageConventionCollection AddWorkspaceRoles(this PageConventionCollection conventions)
    {
        conventions.ConfigureFilter(new WorkspaceRoleFilter());
        return conventions;
    }
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
