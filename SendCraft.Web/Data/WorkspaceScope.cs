namespace SendCraft.Web.Data;

/// <summary>
/// Per-request (scoped) holder of the workspace that tenant-owned queries are limited to.
/// Set by CurrentWorkspaceMiddleware for signed-in users; flows that act in another workspace
/// (creating one, accepting an invitation, background jobs) enter it explicitly with <see cref="Enter"/>.
/// </summary>
public sealed class WorkspaceScope
{
    public long? WorkspaceId { get; private set; }

    public void Set(long? workspaceId) => WorkspaceId = workspaceId;

    /// <summary>Acts in <paramref name="workspaceId"/> until the returned handle is disposed.</summary>
    public IDisposable Enter(long workspaceId)
    {
        var previous = WorkspaceId;
        WorkspaceId = workspaceId;
        return new Restore(this, previous);
    }

    private sealed class Restore(WorkspaceScope scope, long? previous) : IDisposable
    {
        public void Dispose() => scope.WorkspaceId = previous;
    }
}
