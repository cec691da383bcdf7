using Microsoft.Extensions.Options;

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

        await using var scope = scopes.CreateAsyncScope();
        var released = await scope.ServiceProvider.GetRequiredService<OutboxStore>().ReleaseAsync(CancellationToken.None);
        if (released > 0) log.LogInformation("Released {Count} unfinished messages back to the queue", released);
    }

    private async Task LoopAsync(CancellationToken stopping, CancellationToken sending)
    {
        while (!stopping.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await RunOnceAsync(stopping, sending);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                log.LogError(ex, "Outbox worker loop failed; retrying after {Delay}", _options.PollInterval);
            }
            if (claimed < _options.BatchSize) await signal.WaitAsync(_options.PollInterval, stopping);
        }
    }

    /// <summary>One claim-send-record cycle. Returns how many rows were claimed.</summary>
    internal async Task<int> RunOnceAsync(CancellationToken stopping, CancellationToken sending)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<OutboxStore>();
        var batch = await store.ClaimAsync(_options.BatchSize, stopping);
        if (batch.Count == 0) return 0;

        var suppressed = await store.SuppressedAsync(batch, stopping);
        if (suppressed.Count > 0)
        {
            await store.MarkSuppressedAsync(batch.Where(m => suppressed.Contains((m.WorkspaceId, m.Recipient))).Select(m => m.Id).ToList(), stopping);
            batch = batch.Where(m => !suppressed.Contains((m.WorkspaceId, m.Recipient))).ToList();
        }

        var accounts = await store.AccountsAsync(batch.Select(m => m.SmtpAccountId), stopping);
        var remaining = new Dictionary<long, int>();
        foreach (var account in accounts.Values.Where(a => a.DailyLimit > 0))
            remaining[account.Id] = account.DailyLimit - await store.SentTodayAsync(account.Id, stopping);

        var results = await sender.SendAsync(batch, accounts, remaining, sending);
        // Always recorded, even while stopping: these messages did reach a server.
        await store.RecordAsync(results, CancellationToken.None);
        await store.TouchAccountsAsync(accounts.Keys, CancellationToken.None);
        return batch.Count + suppressed.Count;
    }
}
