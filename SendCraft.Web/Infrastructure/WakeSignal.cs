namespace SendCraft.Web.Infrastructure;

/// <summary>
/// Wakes one idle background worker: any number of Notify calls between two waits count as one. Notify is on hot request
/// paths (every API send), so an already-set signal costs one volatile read: releasing a full SemaphoreSlim throws
/// inside its lock, and at a few thousand requests a second the requests queued on that lock (measured: the largest
/// lock wait of the API send, see docs/benchmarks.md).
/// </summary>
public abstract class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount > 0) return;
        try { _signal.Release(); }
        catch (SemaphoreFullException) { /* another Notify won the race: already signalled */ }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        try { await _signal.WaitAsync(timeout, ct); }
        catch (OperationCanceledException) { }
    }
}
