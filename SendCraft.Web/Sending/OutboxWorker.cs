using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>
/// The worker loop of one instance (hosted service): claim a batch, send it, record every outcome, repeat.
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

    private async Task LoopAsync(CancellationToken stopping, CancellationToken sending)
    {
        // Recording a batch overlaps with claiming and sending the next one; at most one record is pending,
        // so the rows sent but not yet recorded (the duplicates a crash could cause) stay within two batches.
        var pendingRecord = Task.CompletedTask;
        while (!stopping.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                var (count, record) = await RunOnceAsync(pendingRecord, stopping, sending);
                claimed = count;
                pendingRecord = record;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                log.LogError(ex, "Outbox worker loop failed; retrying after {Delay}", _options.PollInterval);
                pendingRecord = Task.CompletedTask;
            }
            if (claimed < _options.BatchSize)
            {
                await AwaitQuietlyAsync(pendingRecord);
                pendingRecord = Task.CompletedTask;
                await signal.WaitAsync(_options.PollInterval, stopping);
            }
        }
        await AwaitQuietlyAsync(pendingRecord);
    }

    private async Task AwaitQuietlyAsync(Task record)
    {
        try { await record; }
        catch (Exception ex) { log.LogError(ex, "Recording a batch failed; its rows return to the queue when their lease ends"); }
    }

    /// <summary>
    /// One claim-and-send cycle. Returns how many rows were claimed and the task that records their outcomes,
    /// which starts once <paramref name="previousRecord"/> has finished.
    /// </summary>
    internal async Task<(int Claimed, Task Record)> RunOnceAsync(Task previousRecord, CancellationToken stopping, CancellationToken sending)
    {
        List<OutboundMessage> batch;
        Dictionary<long, SmtpAccount> accounts;
        var remaining = new Dictionary<long, int>();
        int suppressedCount;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<OutboxStore>();
            batch = await store.ClaimAsync(_options.BatchSize, stopping);
            if (batch.Count == 0) return (0, previousRecord);

            var suppressed = await store.SuppressedAsync(batch, stopping);
            suppressedCount = suppressed.Count;
            if (suppressed.Count > 0)
            {
                await store.MarkSuppressedAsync(batch.Where(m => suppressed.Contains((m.WorkspaceId, m.Recipient))).Select(m => m.Id).ToList(), stopping);
                batch = batch.Where(m => !suppressed.Contains((m.WorkspaceId, m.Recipient))).ToList();
            }

            accounts = await store.AccountsAsync(batch.Select(m => m.SmtpAccountId), stopping);
            // Daily counts must include the previous batch's sends, so wait for its record first when limits apply.
            if (accounts.Values.Any(a => a.DailyLimit > 0)) await previousRecord;
            foreach (var account in accounts.Values.Where(a => a.DailyLimit > 0))
                remaining[account.Id] = account.DailyLimit - await store.SentTodayAsync(account.Id, stopping);
        }

        var results = await sender.SendAsync(batch, accounts, remaining, sending);
        return (batch.Count + suppressedCount, RecordAfterAsync(previousRecord, results, accounts.Keys.ToList()));
    }

    /// <summary>Always recorded, even while stopping: these messages did reach a server.</summary>
    private async Task RecordAfterAsync(Task previousRecord, List<DeliveryResult> results, List<long> accountIds)
    {
        await AwaitQuietlyAsync(previousRecord);
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<OutboxStore>();
        await store.RecordAsync(results, CancellationToken.None);
        await store.TouchAccountsAsync(accountIds, CancellationToken.None);
    }
}
