using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Api;

/// <summary>
/// Collects each key's last use in memory and writes it every Api:LastUsedFlushInterval (and at shutdown): a write
/// per request would double the database work of a send. Also deletes idempotency records older than their retention.
/// </summary>
public sealed class ApiKeyUsage(IServiceScopeFactory scopes, IOptions<ApiOptions> options, TimeProvider clock, ILogger<ApiKeyUsage> log)
    : BackgroundService
{
    private ConcurrentDictionary<long, DateTime> _pending = new();

    public void Touch(long keyId, DateTime at) => _pending[keyId] = at;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LastUsedFlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(CancellationToken.None);
                await CleanUpIdempotencyAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    /// <summary>Writes the collected last-used times; a failed write is retried at the next tick (nothing important is lost).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.IsEmpty) return;
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<long, DateTime>());
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
            foreach (var (id, at) in batch)
            {
                await db.ApiKeys.IgnoreQueryFilters().Where(k => k.Id == id && (k.LastUsedAt == null || k.LastUsedAt < at))
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, at), ct);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Could not record the last use of {Count} API key(s); retrying later", batch.Count);
            foreach (var (id, at) in batch) _pending.AddOrUpdate(id, at, (_, later) => later > at ? later : at);
        }
    }

    private async Task CleanUpIdempotencyAsync(CancellationToken ct)
    {
        try
        {
            var before = clock.GetUtcNow().UtcDateTime - options.Value.IdempotencyRetention;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
            await db.IdempotencyRecords.Where(r => r.CreatedAt < before).ExecuteDeleteAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Could not delete expired idempotency records; retrying later");
        }
    }
}
