using Microsoft.Extensions.Options;

namespace SendCraft.Web.Sending;

/// <summary>
/// The heartbeat of this instance's leases. While the worker runs, every outbox row it holds (claimed, being sent, or
/// sent and waiting to be recorded) and every connection slot it holds has its lease started again every quarter
/// lease, so no other instance ever takes them while this one is alive, however long a slow account's batch or a
/// failing record takes. Each tick also closes idle connections and deletes old rate windows.
/// The sender asks <see cref="HoldsLeases"/> before each message: after two missed heartbeats (the database
/// unreachable) it stops transmitting, because another instance may be about to take the rows.
/// </summary>
public sealed class LeaseKeeper(WorkerDatabaseGate gate, SmtpConnectionPool pool,
    IOptions<SendingOptions> options, TimeProvider clock, ILogger<LeaseKeeper> log)
{
    private readonly TimeSpan _lease = options.Value.Lease;
    private long _confirmedUntilTicks;

    public TimeSpan Interval => _lease / 4;

    /// <summary>True while this instance's leases are known to last at least another half lease.</summary>
    public bool HoldsLeases => clock.GetUtcNow().UtcDateTime + _lease / 2 < new DateTime(Interlocked.Read(ref _confirmedUntilTicks), DateTimeKind.Utc);

    /// <summary>Starts the lease of everything this instance holds again.</summary>
    public async Task RenewAsync(CancellationToken ct)
    {
        var started = clock.GetUtcNow().UtcDateTime;
        await gate.RunAsync<AccountLimitsStore>(store => store.RenewLeasesAsync(started + _lease, ct), ct);
        Interlocked.Exchange(ref _confirmedUntilTicks, (started + _lease).Ticks);
    }

    /// <summary>Beats until <paramref name="stop"/>; the worker stops it only after its last record.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, clock, stop);
                await RenewAsync(stop);
                await pool.CloseIdleAsync();
                await gate.RunAsync<AccountLimitsStore>(store => store.DeleteOldWindowsAsync(stop), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Lease heartbeat failed; trying again in {Interval}", Interval);
            }
        }
    }
}
