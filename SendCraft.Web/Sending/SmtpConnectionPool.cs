using System.Collections.Concurrent;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;

namespace SendCraft.Web.Sending;

/// <summary>
/// Connections per SMTP account, reused across messages and batches, never more open at once than the account's
/// MaxConnections (across all worker loops of this instance). Idle connections older than IdleConnectionTimeout
/// are closed instead of reused: servers drop idle clients, and a dead socket would cost the next message a retry.
/// </summary>
public sealed class SmtpConnectionPool(IOptions<SendingOptions> options, TimeProvider clock) : IAsyncDisposable
{
    internal sealed class AccountSlots(int max)
    {
        public readonly int Max = max;
        public readonly SemaphoreSlim Gate = new(max, max);
        public readonly ConcurrentBag<(SmtpClient Client, DateTime IdleSince)> Idle = [];
    }

    private readonly ConcurrentDictionary<long, AccountSlots> _accounts = new();

    /// <summary>A lease on one connection slot; Connection is null until the caller connects.</summary>
    public sealed class Lease : IAsyncDisposable
    {
        private readonly SmtpConnectionPool _pool;
        private readonly long _accountId;
        private readonly AccountSlots _slots;

        internal Lease(SmtpConnectionPool pool, long accountId, AccountSlots slots) => (_pool, _accountId, _slots) = (pool, accountId, slots);

        public SmtpClient? Connection { get; set; }
        /// <summary>Set after an error: the connection is closed instead of going back to the pool.</summary>
        public bool Broken { get; set; }
        public ValueTask DisposeAsync() => _pool.ReturnAsync(_accountId, _slots, this);
    }

    public async Task<Lease> RentAsync(long accountId, int maxConnections, SmtpEndpoint endpoint, CancellationToken ct)
    {
        var slots = _accounts.AddOrUpdate(accountId, _ => new AccountSlots(maxConnections),
            (_, existing) => existing.Max == maxConnections ? existing : new AccountSlots(maxConnections));
        await slots.Gate.WaitAsync(ct);
        var lease = new Lease(this, accountId, slots);
        var now = clock.GetUtcNow().UtcDateTime;
        while (slots.Idle.TryTake(out var idle))
        {
            if (idle.Client.IsConnected && now - idle.IdleSince < options.Value.IdleConnectionTimeout)
            {
                lease.Connection = idle.Client;
                return lease;
            }
            await CloseAsync(idle.Client);
        }
        try
        {
            lease.Connection = await SmtpConnector.ConnectAsync(endpoint, options.Value.CommandTimeout, ct);
            // With SIZE advertised, MailKit serializes every message once more only to count its bytes for MAIL FROM's
            // SIZE= (measured: 420 against 246 µs a message). BatchSender checks the server's limit (MaxSize, still
            // known) itself from sizes it has anyway, so the capability is dropped for pooled connections.
            lease.Connection.Capabilities &= ~SmtpCapabilities.Size;
        }
        catch
        {
            slots.Gate.Release();
            throw;
        }
        return lease;
    }

    private async ValueTask ReturnAsync(long accountId, AccountSlots slots, Lease lease)
    {
        if (lease.Connection is { } client)
        {
            var current = _accounts.TryGetValue(accountId, out var s) && ReferenceEquals(s, slots);
            if (!lease.Broken && client.IsConnected && current) slots.Idle.Add((client, clock.GetUtcNow().UtcDateTime));
            else await CloseAsync(client);
        }
        slots.Gate.Release();
    }

    private static async Task CloseAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.DisconnectAsync(true, quit.Token);
            }
        }
        catch (Exception) { /* closing a connection that is already gone */ }
        finally { client.Dispose(); }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var slots in _accounts.Values)
            while (slots.Idle.TryTake(out var idle)) await CloseAsync(idle.Client);
    }
}
