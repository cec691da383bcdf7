using System.Collections.Concurrent;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>
/// An SMTP account's rate and daily limits, for the account as a whole however many instances send through it.
/// Time is cut into slots (100 ms, or one message's interval for rates under 10 a second); each slot has a quota of
/// messages that instances take from the database (<see cref="AccountLimitsStore.TakeAsync"/>) in shares, so
/// two instances on an account limited to N a second send N a second together. An instance asks the database
/// about once per slot and account, not once per message.
/// </summary>
/// <remarks>Slots are numbered from each instance's own clock: instances are expected to keep time (NTP).</remarks>
public sealed class AccountThrottle(WorkerDatabaseGate gate, TimeProvider clock)
{
    private sealed class Budget
    {
        public readonly SemaphoreSlim Lock = new(1, 1);
        public long SlotStart = -1;
        public int Tokens;
        public bool SlotUsedUp;
    }

    private readonly ConcurrentDictionary<long, Budget> _budgets = new();

    /// <summary>
    /// Waits until the account may send one more message; false when its daily limit is used up.
    /// <paramref name="waiting"/> (messages of the account still waiting in this instance) caps what is asked for, so
    /// a grant left unused at the end of its slot is small.
    /// </summary>
    public async Task<bool> WaitAsync(SmtpAccount account, int waiting, CancellationToken ct)
    {
        var budget = _budgets.GetOrAdd(account.Id, _ => new Budget());
        await budget.Lock.WaitAsync(ct);
        try
        {
            var rate = Math.Max(1, account.MessagesPerSecond);
            var slotMs = Math.Max(100L, (1000L + rate - 1) / rate);
            while (true)
            {
                var slot = clock.GetUtcNow().ToUnixTimeMilliseconds() / slotMs;
                if (budget.SlotStart != slot * slotMs)
                {
                    if (budget.Tokens > 0 && account.DailyLimit > 0) await GiveBackAsync(account, budget.SlotStart, budget.Tokens, ct);
                    (budget.SlotStart, budget.Tokens, budget.SlotUsedUp) = (slot * slotMs, 0, false);
                }
                if (budget.Tokens > 0)
                {
                    budget.Tokens--;
                    return true;
                }
                if (!budget.SlotUsedUp)
                {
                    // The slot's quota: the rate spread evenly over slots, remainders carried to the next one. Half of it
                    // is asked for at a time, so a second instance asking in the same slot still gets a share.
                    var quota = (int)((slot + 1) * rate * slotMs / 1000 - slot * rate * slotMs / 1000);
                    var want = Math.Max(1, Math.Min((quota + 1) / 2, waiting));
                    var grant = await TakeAsync(account, budget.SlotStart, quota, want, ct);
                    if (grant.Granted == 0 && grant.DailyLimitReached) return false;
                    budget.Tokens = grant.Granted;
                    budget.SlotUsedUp = grant.Granted == 0;
                    continue;
                }
                var wait = (slot + 1) * slotMs - clock.GetUtcNow().ToUnixTimeMilliseconds();
                if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), clock, ct);
            }
        }
        finally
        {
            budget.Lock.Release();
        }
    }

    private Task GiveBackAsync(SmtpAccount account, long slotStart, int unused, CancellationToken ct) =>
        gate.RunAsync<AccountLimitsStore>(store => store.GiveBackAsync(account.Id, DayOf(slotStart), unused, ct), ct);

    private static long DayOf(long unixMs) => unixMs - unixMs % 86_400_000L;

    private Task<QuotaGrant> TakeAsync(SmtpAccount account, long slotStart, int quota, int want, CancellationToken ct) =>
        gate.RunAsync<AccountLimitsStore, QuotaGrant>(
            store => store.TakeAsync(account.Id, slotStart, quota, DayOf(slotStart), account.DailyLimit, want, ct), ct);
}
