using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>
/// The worker loop of one instance (hosted service): claim a batch, send it, record every outcome, repeat
/// (pipelined: see LoopAsync).
/// On shutdown the batch in hand is given a short grace period to finish; whatever is still leased is then
/// released to the queue, so a restart or another instance picks it up at once rather than after the lease.
/// </summary>
public sealed class OutboxWorker(
    IServiceScopeFactory scopes, BatchSender sender, OutboxSignal signal, IOptions<SendingOptions> options, ILogger<OutboxWorker> log)
    : BackgroundService
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);
    private readonly SendingOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.WorkersEnabled) return;
        await Task.Yield(); // let start-up finish before the first claim

        // Sends get a grace period after stop is requested; claims stop at once.
        using var sending = new CancellationTokenSource();
        await using var _ = stoppingToken.Register(() => sending.CancelAfter(ShutdownGrace));

        // One loop per instance: a batch is spread over the accounts' connections, which is where parallelism pays.
        // (Two loops sharing one account's connection slots hung a batch in tests; see the issue note.)
        await LoopAsync(stoppingToken, sending.Token);

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var released = await scope.ServiceProvider.GetRequiredService<OutboxStore>().ReleaseAsync(CancellationToken.None);
            if (released > 0) log.LogInformation("Released {Count} unfinished messages back to the queue", released);
        }
        catch (Exception ex)
        {
            // The rows stay leased and come back when their lease ends; shutdown goes on.
            log.LogWarning(ex, "Could not release this instance's leased messages at shutdown");
        }
    }

    /// <summary>A claimed batch, ready to send.</summary>
    private sealed record ClaimedBatch(List<OutboundMessage> Messages, Dictionary<long, SmtpAccount> Accounts, int Claimed, long ClaimedAt);

    private static readonly ClaimedBatch Nothing = new([], [], 0, 0);

    /// <summary>
    /// A pipeline: while one batch is on the wire, the database work runs beside it, one statement at a time in a
    /// chain (SQLite has one writer, and a claim waiting for a record would otherwise stall the next send):
    /// record the previous batch, start again the lease of the batch about to go, claim the next one. At most one
    /// batch is sent-but-unrecorded and one claimed ahead, so the rows a crash can send twice stay within two
    /// batches, and the claimed-ahead rows of a stopped worker are released at shutdown. Database steps start with
    /// Task.Run: Microsoft.Data.Sqlite's async methods complete synchronously, so without it a record would run on
    /// this loop's thread before the next send.
    /// </summary>
    private async Task LoopAsync(CancellationToken stopping, CancellationToken sending)
    {
        var database = Task.CompletedTask; // the last database step in the chain
        var next = ChainClaim(ref database, stopping);
        var failed = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (failed)
                {
                    failed = false;
                    await Task.Delay(_options.PollInterval, stopping);
                    // A failed claim is tried again; a batch claimed ahead before something else failed is still good.
                    if (next.IsFaulted || next.IsCanceled) next = ChainClaim(ref database, stopping);
                }
                var batch = await next;
                if (batch.Claimed == 0)
                {
                    await AwaitQuietlyAsync(database);
                    await signal.WaitAsync(_options.PollInterval, stopping);
                    next = ChainClaim(ref database, stopping);
                    continue;
                }
                if (batch.Messages.Count == 0)
                {
                    next = ChainClaim(ref database, stopping); // all suppressed
                    continue;
                }

                // A batch claimed ahead waited while the one before it was sent, maybe longer than its lease (a slow
                // account): its lease starts again before the next claim, which could otherwise take these very rows.
                // When it waited long enough that the lease may have run out, only the rows still ours are sent.
                var renewal = ChainRenewal(ref database, batch, stopping);
                if (System.Diagnostics.Stopwatch.GetElapsedTime(batch.ClaimedAt) > _options.Lease / 2)
                {
                    var stillMine = await renewal;
                    batch = batch with { Messages = batch.Messages.Where(m => stillMine.Contains(m.Id)).ToList() };
                }

                // Claim the following batch while this one is sent (only when this one was full: a short batch means the queue is drained).
                next = batch.Claimed >= _options.BatchSize ? ChainClaim(ref database, stopping) : Task.FromResult(Nothing);

                // Daily limits count what was sent before, so they wait for every earlier record.
                var remaining = new Dictionary<long, int>();
                if (batch.Accounts.Values.Any(a => a.DailyLimit > 0))
                {
                    await AwaitQuietlyAsync(database);
                    await using var scope = scopes.CreateAsyncScope();
                    var store = scope.ServiceProvider.GetRequiredService<OutboxStore>();
                    foreach (var account in batch.Accounts.Values.Where(a => a.DailyLimit > 0))
                        remaining[account.Id] = account.DailyLimit - await store.SentTodayAsync(account.Id, stopping);
                }

                var sendStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                var results = await sender.SendAsync(batch.Messages, batch.Accounts, remaining, sending);
                OutboxMetrics.SendDuration.Record(OutboxMetrics.Since(sendStarted));
                var previous = database;
                database = Task.Run(() => RecordAfterAsync(previous, results, batch.Accounts.Keys.ToList()), CancellationToken.None);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                log.LogError(ex, "Outbox worker loop failed; retrying after {Delay}", _options.PollInterval);
                await AwaitQuietlyAsync(database);
                failed = true;
            }
        }
        await AwaitQuietlyAsync(database);
        try { await next; } catch (Exception) { /* its rows are released below */ }
    }

    private Task<HashSet<long>> ChainRenewal(ref Task database, ClaimedBatch batch, CancellationToken stopping)
    {
        var previous = database;
        var ids = batch.Messages.Select(m => m.Id).ToList();
        var renewal = Task.Run(async () =>
        {
            await AwaitQuietlyAsync(previous);
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<OutboxStore>().RenewLeasesAsync(ids, stopping);
        }, CancellationToken.None);
        database = renewal;
        return renewal;
    }

    private Task<ClaimedBatch> ChainClaim(ref Task database, CancellationToken stopping)
    {
        var previous = database;
        var claim = Task.Run(() => ClaimAfterAsync(previous, stopping), CancellationToken.None);
        database = claim;
        return claim;
    }

    /// <summary>Waits for a database step; its failure was the step's own (its rows come back when their lease ends), not the waiter's.</summary>
    private async Task AwaitQuietlyAsync(Task step)
    {
        try { await step; }
        catch (OperationCanceledException) { /* a claim cut short by shutdown: its rows are released */ }
        catch (Exception ex) { log.LogError(ex, "An outbox database step failed; its rows return to the queue when their lease ends"); }
    }

    /// <summary>
    /// Claims a batch once the previous database step is done: leases due rows, marks the suppressed ones, and loads
    /// the accounts the rest go out through.
    /// </summary>
    private async Task<ClaimedBatch> ClaimAfterAsync(Task previous, CancellationToken stopping)
    {
        await AwaitQuietlyAsync(previous);
        if (stopping.IsCancellationRequested) return Nothing; // no claim to release, no cancelled connection to log
        var claimStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<OutboxStore>();
        var batch = await store.ClaimAsync(_options.BatchSize, stopping);
        if (batch.Count == 0) return Nothing;
        var claimed = batch.Count;

        var suppressed = await store.SuppressedAsync(batch, stopping);
        if (suppressed.Count > 0)
        {
            await store.MarkSuppressedAsync(batch.Where(m => suppressed.Contains((m.WorkspaceId, m.Recipient))).Select(m => m.Id).ToList(), stopping);
            batch = batch.Where(m => !suppressed.Contains((m.WorkspaceId, m.Recipient))).ToList();
        }
        var accounts = await store.AccountsAsync(batch.Select(m => m.SmtpAccountId), stopping);
        OutboxMetrics.ClaimDuration.Record(OutboxMetrics.Since(claimStarted));
        return new ClaimedBatch(batch, accounts, claimed, claimStarted);
    }

    /// <summary>Always recorded, even while stopping: these messages did reach a server.</summary>
    private async Task RecordAfterAsync(Task previousRecord, List<DeliveryResult> results, List<long> accountIds)
    {
        await AwaitQuietlyAsync(previousRecord);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<OutboxStore>();
        await store.RecordAsync(results, CancellationToken.None);
        await store.TouchAccountsAsync(accountIds, CancellationToken.None);
        OutboxMetrics.RecordDuration.Record(OutboxMetrics.Since(started));
        foreach (var kind in results.GroupBy(r => r.Outcome.Kind))
            OutboxMetrics.Messages.Add(kind.Count(), new KeyValuePair<string, object?>("outcome", kind.Key.ToString()));
    }
}
