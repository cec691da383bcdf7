using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using SendCraft.Web.Data;

namespace SendCraft.Web.Workspaces;

/// <summary>
/// The least workspace role a page needs. On a handler method: that handler, whatever its verb. On a PageModel: every
/// handler of the page, reads included (a page only that role may even open). Overrides the folder rule of
/// <see cref="WorkspaceRoleRules"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class RequiresRoleAttribute(WorkspaceRole minimum) : Attribute
{
    public WorkspaceRole Minimum { get; } = minimum;
}

/// <summary>
/// The page acts on the signed-in user's own account (profile, 2FA, creating or switching workspaces), not on a
/// workspace: it needs a signed-in user but no workspace role, even for its writes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class NoWorkspaceRoleAttribute : Attribute;

/// <summary>What a handler needs: a role in the active workspace, or none; public when not even a signed-in user. Reason: why, for tests and diagnostics.</summary>
public sealed record HandlerAccess(WorkspaceRole? Minimum, string Reason, bool IsPublic = false);

/// <summary>
/// The one place that decides which workspace role each page handler needs. A state-changing handler (any verb but
/// GET/HEAD) needs, in order: its own [RequiresRole]; its page's [RequiresRole]; its folder's rule below; else
/// <see cref="DefaultForWrites"/>, so a new page is covered without anyone remembering. Reads need nothing beyond a
/// signed-in user unless an attribute or the folder says so. [AllowAnonymous] and [NoWorkspaceRole] pages opt out.
/// </summary>
public static class WorkspaceRoleRules
{
    /// <summary>A write in a folder with no rule: fail closed. Admins configure; a page meant for members says so here.</summary>
    public const WorkspaceRole DefaultForWrites = WorkspaceRole.Admin;

    public sealed record FolderRule(WorkspaceRole Writes, WorkspaceRole? Reads = null);

    /// <summary>The first segment of a page's path (Pages/&lt;Folder&gt;/...) to its rule.</summary>
    public static readonly IReadOnlyDictionary<string, FolderRule> Folders = new Dictionary<string, FolderRule>(StringComparer.OrdinalIgnoreCase)
    {
        // Admin configures: workspace settings and members (reading them too), sending domains, SMTP accounts.
        ["Settings"] = new(WorkspaceRole.Admin, Reads: WorkspaceRole.Admin),
        ["Domains"] = new(WorkspaceRole.Admin),
        ["SmtpAccounts"] = new(WorkspaceRole.Admin),
        // API keys act for the whole workspace (send, read every message): only admins see or make them.
        ["ApiKeys"] = new(WorkspaceRole.Admin, Reads: WorkspaceRole.Admin),
        // Webhook URLs can carry tokens and the log shows what the workspace's systems answered: admins only, reads too.
        ["Webhooks"] = new(WorkspaceRole.Admin, Reads: WorkspaceRole.Admin),
        // Member works: the audience, content and mail of the workspace.
        ["Contacts"] = new(WorkspaceRole.Member),
        ["Lists"] = new(WorkspaceRole.Member),
        ["Imports"] = new(WorkspaceRole.Member),
        ["Templates"] = new(WorkspaceRole.Member),
        ["Messages"] = new(WorkspaceRole.Member),
        ["Suppressions"] = new(WorkspaceRole.Member),
        ["Campaigns"] = new(WorkspaceRole.Member),
        // Viewers read the inbox; members mark read and delete.
        ["Inbox"] = new(WorkspaceRole.Member),
        // Any member reads and marks their own notifications (the handlers touch only the current user's rows).
        ["Notifications"] = new(WorkspaceRole.Viewer),
    };

    private static readonly ConcurrentDictionary<(string Page, MethodInfo? Handler, bool IsRead), HandlerAccess> Cache = new();

    /// <summary>The rule for <paramref name="handler"/> of a page (null when no handler matched: nothing of the page's code runs but rendering, so it is a read).</summary>
    public static HandlerAccess For(CompiledPageActionDescriptor page, HandlerMethodDescriptor? handler)
    {
        var isRead = handler is null || IsRead(handler.HttpMethod);
        return Cache.GetOrAdd((page.ViewEnginePath, handler?.MethodInfo, isRead), _ => Resolve(page, handler?.MethodInfo, isRead));
    }

    public static bool IsRead(string httpMethod) =>
        HttpMethods.IsGet(httpMethod) || HttpMethods.IsHead(httpMethod) || HttpMethods.IsOptions(httpMethod);

    private static HandlerAccess Resolve(CompiledPageActionDescriptor page, MethodInfo? handler, bool isRead)
    {
        var model = page.ModelTypeInfo ?? page.HandlerTypeInfo;
        if (page.EndpointMetadata.OfType<IAllowAnonymous>().Any() || model.IsDefined(typeof(AllowAnonymousAttribute), inherit: true))
            return new(null, "public ([AllowAnonymous])", IsPublic: true);
        if (handler?.GetCustomAttribute<RequiresRoleAttribute>() is { } onHandler)
            return new(onHandler.Minimum, $"[RequiresRole({onHandler.Minimum})] on {handler.Name}");
        if (model.IsDefined(typeof(NoWorkspaceRoleAttribute), inherit: true))
            return new(null, "own account ([NoWorkspaceRole])");
        if (model.GetCustomAttribute<RequiresRoleAttribute>(inherit: true) is { } onPage)
            return new(onPage.Minimum, $"[RequiresRole({onPage.Minimum})] on {model.Name}");

        var folder = FolderOf(page.ViewEnginePath);
        var rule = folder is null ? null : Folders.GetValueOrDefault(folder);
        if (isRead)
            return rule?.Reads is { } reads ? new(reads, $"reads of /{folder}") : new(null, "read");
        return rule is not null ? new(rule.Writes, $"writes of /{folder}") : new(DefaultForWrites, "default for writes (folder not mapped)");
    }

    /// <summary>"/Contacts/Details" → "Contacts"; a page at the root ("/Index") has no folder.</summary>
    private static string? FolderOf(string viewEnginePath)
    {
        var parts = viewEnginePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 1 ? parts[0] : null;
    }
}
