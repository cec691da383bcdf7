using Microsoft.Extensions.Options;
using SendCraft.Web.Sending;

namespace SendCraft.Web.Webhooks;

/// <summary>
/// The webhook delivery worker of one instance (hosted service): claims due deliveries under a lease, POSTs them in
/// parallel (each bounded by Webhooks:Timeout, so a batch ends well within its lease), records every result. A process
/// that dies leaves its leased rows to come back when the lease ends; on shutdown they go back at once.
/// </summary>
public sealed class WebhookWorker(
    WorkerDatabaseGate gate, WebhookSender sender, WebhookSignal signal, IOptions<WebhookOptions> options,
    IOptions<SendingOptions> sending, ILogger<WebhookWorker> log) : BackgroundService
{
    private readonly WebhookOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.WorkerEnabled || !sending.Value.WorkersEnabled) return;
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var work = await gate.RunAsync<WebhookStore, List<DeliveryWork>>(store => store.ClaimAsync(_options.BatchSize, stoppingToken), stoppingToken);
                if (work.Count == 0)
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                    continue;
                }
                await DeliverAsync(work, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                log.LogError(ex, "Webhook delivery failed; trying again in {Delay}", _options.PollInterval);
                try { await Task.Delay(_options.PollInterval, stoppingToken); } catch (OperationCanceledException) { break; }
            }
        }
    }

    private async Task DeliverAsync(List<DeliveryWork> work, CancellationToken stopping)
    {
        var closed = work.Where(w => w.Endpoint is not { IsEnabled: true }).ToList();
        foreach (var w in closed)
        {
            var reason = w.Endpoint is null ? "Not sent: the endpoint was deleted." : "Not sent: the endpoint is disabled. Enable it, then redeliver.";
            await gate.RunAsync<WebhookStore>(store => store.FailWithoutAttemptAsync(w.Delivery.Id, reason, CancellationToken.None), CancellationToken.None);
        }
        var open = work.Except(closed).ToList();
        var attempts = await Task.WhenAll(open.Select(w => sender.SendAsync(w, stopping)));
        // Recorded even while stopping: a POST that went out is written down.
        await gate.RunAsync<WebhookStore>(store => store.RecordAsync(attempts, CancellationToken.None), CancellationToken.None);
    }
}
