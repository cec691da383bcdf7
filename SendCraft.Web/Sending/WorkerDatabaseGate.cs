using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>
/// Lets one worker database write run at a time on SQLite. SQLite has one writer; when two of this process's
/// connections want to write at once, Microsoft.Data.Sqlite answers SQLITE_BUSY by sleeping and retrying, which
/// costs the waiter far more than queueing here. The worker's steps (claim, heartbeat, quota, record) run
/// concurrently, so they queue at this gate. On MySQL the gate is open: row locks do this job there.
/// </summary>
public sealed class WorkerDatabaseGate(IServiceProvider services, IServiceScopeFactory scopes)
{
    private readonly SemaphoreSlim? _sqlite = DatabaseSetup.Provider(services) == DatabaseProvider.Sqlite ? new(1, 1) : null;

    /// <summary>Runs one database step of the worker through the gate, with a store (OutboxStore, AccountLimitsStore) of its own scope.</summary>
    public async Task<T> RunAsync<TStore, T>(Func<TStore, Task<T>> step, CancellationToken ct) where TStore : notnull
    {
        using var _ = await EnterAsync(ct);
        await using var scope = scopes.CreateAsyncScope();
        return await step(scope.ServiceProvider.GetRequiredService<TStore>());
    }

    public Task RunAsync<TStore>(Func<TStore, Task> step, CancellationToken ct) where TStore : notnull =>
        RunAsync<TStore, bool>(async store => { await step(store); return true; }, ct);

    private async ValueTask<IDisposable> EnterAsync(CancellationToken ct)
    {
        if (_sqlite is null) return Open.Instance;
        await _sqlite.WaitAsync(ct);
        return new Exit(_sqlite);
    }

    private sealed class Open : IDisposable
    {
        public static readonly Open Instance = new();
        public void Dispose() { }
    }

    private sealed class Exit(SemaphoreSlim gate) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) gate.Release();
        }
    }
}
