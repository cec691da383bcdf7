using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>
/// The worker of one instance (hosted service): three steps joined by channels that hold one batch each.
/// <list type="number">
/// <item><b>Claim</b> leases a batch of due rows (only when the channel has room, so at most one batch waits).</item>
/// <item><b>Send</b> transmits it over the accounts' connections (<see cref="BatchSender"/>).</item>
/// <item><b>Record</b> writes every outcome, retrying until the write lands: a message that reached a server is
/// never sent again because its result could not be written.</item>
/// </list>
/// While they run, <see cref="LeaseKeeper"/> keeps the leases of every row this instance holds alive, so no other
/// instance takes a row whose owner is alive. Rows in flight when the process dies come back when their lease ends,
/// which bounds duplicates after a crash to what was being sent. On shutdown claims stop at once, the batch on the
/// wire gets ShutdownGrace to finish, everything sent is recorded, and rows not sent go back to the queue.
/// </summary>
public sealed class OutboxWorker(
    BatchSender sender, LeaseKeeper leases, SmtpConnectionPool pool, WorkerDatabaseGate gate,
    OutboxSignal signal, IOptions<SendingOptions> options, ILogger<OutboxWorker> log)
    : BackgroundService
{
    private static readonly TimeSpan MaxRecordRetryDelay = TimeSpan.FromSeconds(5);
    private readonly SendingOptions _options = options.Value;

    /// <summary>A claimed batch: the rows this instance leased (Claimed) and those of them to send (suppressed ones are already marked).</summary>
    private sealed record ClaimedBatch(int Claimed, List<OutboundMessage> Messages, Dictionary<long, SmtpAccount> Accounts);

    private sealed record SentBatch(List<OutboundMessage> Messages, List<DeliveryResult> Results);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.WorkersEnabled) return;
        await Task.Yield(); // let start-up finish before the first claim

        using var sendingStops = new CancellationTokenSource();
        await using var _ = stoppingToken.Register(() => sendingStops.CancelAfter(_options.ShutdownGrace));
        using var heartbeatStops = new CancellationTokenSource();
        var heartbeat = leases.RunAsync(heartbeatStops.Token);

        var claimed = Channel.CreateBounded<ClaimedBatch>(1);
        var sent = Channel.CreateBounded<SentBatch>(1);
        await Task.WhenAll(
            ClaimLoopAsync(claimed.Writer, stoppingToken),
            SendLoopAsync(claimed.Reader, sent.Writer, sendingStops.Token),
            RecordLoopAsync(sent.Reader));

        // Everything sent is recorded; the heartbeat may stop, and what this instance still holds goes back.
        await pool.CloseAllAsync();
        await heartbeatStops.CancelAsync();
        await heartbeat;
        await ReleaseEverythingAsync();
    }

    private async Task ClaimLoopAsync(ChannelWriter<ClaimedBatch> claimed, CancellationToken stopping)
    {
        try
        {
            while (await claimed.WaitToWriteAsync(stopping))
            {
                ClaimedBatch batch;
                try
                {
                    // Claim only while this instance's leases are known to hold (at start, and after the database was away).
                    if (!leases.HoldsLeases) await leases.RenewAsync(stopping);
                    batch = await ClaimAsync(stopping);
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    log.LogError(ex, "Claiming outbox rows failed; trying again in {Delay}", _options.PollInterval);
                    await Task.Delay(_options.PollInterval, stopping);
                    continue;
                }
                if (batch.Claimed == 0) await signal.WaitAsync(_options.PollInterval, stopping); // nothing due: sleep until mail is queued
                else if (batch.Messages.Count > 0) await claimed.WriteAsync(batch, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { /* shutting down: no more claims */ }
        finally
        {
            claimed.Complete();
        }
    }

    private async Task SendLoopAsync(ChannelReader<ClaimedBatch> claimed, ChannelWriter<SentBatch> sent, CancellationToken sending)
    {
        try
        {
            await foreach (var batch in claimed.ReadAllAsync(CancellationToken.None))
            {
                var results = new List<DeliveryResult>();
                if (!sending.IsCancellationRequested)
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    try { results = await sender.SendAsync(batch.Messages, batch.Accounts, sending); }
                    catch (Exception ex) { log.LogError(ex, "Sending a batch of {Count} messages failed; the ones without an outcome go back to the queue", batch.Messages.Count); }
                    OutboxMetrics.SendDuration.Record(OutboxMetrics.Since(started));
                }
                await sent.WriteAsync(new SentBatch(batch.Messages, results), CancellationToken.None);
            }
        }
        finally
        {
            sent.Complete();
        }
    }

    /// <summary>Not cancellable: every outcome of a batch that was on the wire is written before the worker stops.</summary>
    private async Task RecordLoopAsync(ChannelReader<SentBatch> sent)
    {
        await foreach (var batch in sent.ReadAllAsync(CancellationToken.None))
        {
            var delay = TimeSpan.FromMilliseconds(100);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await RecordAsync(batch);
                    break;
                }
                catch (Exception ex)
                {
                    // The rows stay leased (the heartbeat keeps them), so nobody sends them again while we retry.
                    log.LogWarning(ex, "Recording the outcomes of {Count} messages failed (attempt {Attempt}); trying again in {Delay}",
                        batch.Results.Count, attempt, delay);
                    await Task.Delay(delay);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRecordRetryDelay.Ticks));
                }
            }
        }
    }

    /// <summary>Leases due rows, marks the suppressed ones, and loads the accounts the rest go out through.</summary>
    private Task<ClaimedBatch> ClaimAsync(CancellationToken stopping) => gate.RunAsync<OutboxStore, ClaimedBatch>(async store =>
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var batch = await store.ClaimAsync(_options.BatchSize, stopping);
        if (batch.Count == 0) return new ClaimedBatch(0, [], []);

        var suppressed = await store.SuppressedAsync(batch, stopping);
        if (suppressed.Count > 0)
        {
            await store.MarkSuppressedAsync(suppressed, stopping);
        }
        var toSend = batch.Where(m => !suppressed.Contains(m.Id)).ToList();
        var accounts = await store.AccountsAsync(toSend.Select(m => m.SmtpAccountId), stopping);
        OutboxMetrics.ClaimDuration.Record(OutboxMetrics.Since(started));
        return new ClaimedBatch(batch.Count, toSend, accounts);
    }, stopping);

    /// <summary>Writes the outcomes and puts the rows that got none (shutdown, lost lease, a failure) back in the queue.</summary>
    private async Task RecordAsync(SentBatch batch)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var withOutcome = batch.Results.Select(r => r.Message.Id).ToHashSet();
        var unsent = batch.Messages.Where(m => !withOutcome.Contains(m.Id)).Select(m => m.Id).ToList();
        await gate.RunAsync<OutboxStore>(async store =>
        {
            await store.RecordAsync(batch.Results, CancellationToken.None);
            if (unsent.Count > 0)
            {
                await store.ReleaseAsync(unsent, CancellationToken.None);
                var campaignRows = batch.Messages.Where(m => m.CampaignId != null && !withOutcome.Contains(m.Id)).Select(m => m.Id).ToList();
                if (campaignRows.Count > 0) await store.SetAsideStoppedCampaignRowsAsync(campaignRows, CancellationToken.None);
            }
            await store.TouchAccountsAsync(batch.Results.Select(r => r.Message.SmtpAccountId).Distinct().ToList(), CancellationToken.None);
        }, CancellationToken.None);
        OutboxMetrics.RecordDuration.Record(OutboxMetrics.Since(started));
        foreach (var kind in batch.Results.GroupBy(r => r.Outcome.Kind))
            OutboxMetrics.Messages.Add(kind.Count(), new KeyValuePair<string, object?>("outcome", kind.Key.ToString()));
    }

    private async Task ReleaseEverythingAsync()
    {
        try
        {
            var released = await gate.RunAsync<OutboxStore, int>(store => store.ReleaseAllAsync(CancellationToken.None), CancellationToken.None);
            await gate.RunAsync<AccountLimitsStore>(store => store.ReleaseAllConnectionSlotsAsync(CancellationToken.None), CancellationToken.None);
            if (released > 0) log.LogInformation("Released {Count} unfinished messages back to the queue", released);
        }
        catch (Exception ex)
        {
            // The rows stay leased and come back when their lease ends; shutdown goes on.
            log.LogWarning(ex, "Could not release this instance's leased messages at shutdown");
        }
    }
}
