using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>What a quota request got: messages granted in the current slot, or that the day's limit is used up.</summary>
public readonly record struct QuotaGrant(int Granted, bool DailyLimitReached);

/// <summary>
/// The database side of the limits every instance shares for an SMTP account: messages granted per rate slot and per
/// day (AccountSendWindows), and connection slots held under a lease (SmtpConnectionSlots). Each call is one short
/// transaction; on MySQL the window rows are locked (FOR UPDATE) so two instances asking at once are served one
/// after the other, never both from the same remainder.
/// </summary>
public sealed class AccountLimitsStore(SendCraftDbContext db, IOptions<SendingOptions> options, TimeProvider clock)
{
    private readonly string _me = options.Value.InstanceId;
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Takes up to <paramref name="want"/> messages from the account's quota of the slot starting at
    /// <paramref name="slotStart"/> (and from the day's, when the account has a daily limit).
    /// </summary>
    public async Task<QuotaGrant> TakeAsync(long accountId, long slotStart, int slotQuota, long dayStart, int dailyLimit, int want, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var used = await LockWindowsAsync(accountId, slotStart, dayStart, ct);
        if (!used.ContainsKey(SendWindowPeriod.Slot) || (dailyLimit > 0 && !used.ContainsKey(SendWindowPeriod.Day)))
        {
            await db.Database.ExecuteSqlRawAsync(InsertIgnore + " INTO AccountSendWindows (AccountId, Period, WindowStart, Used) VALUES ({0}, {1}, {2}, 0)",
                [accountId, (int)SendWindowPeriod.Slot, slotStart], ct);
            if (dailyLimit > 0)
            {
                // A day's window starts from what the account already sent that day (the first instance to ask counts it).
                var midnight = DateTime.UnixEpoch.AddMilliseconds(dayStart);
                await db.Database.ExecuteSqlRawAsync(InsertIgnore + """
                     INTO AccountSendWindows (AccountId, Period, WindowStart, Used)
                    SELECT {0}, {1}, {2}, COUNT(*) FROM OutboundMessages WHERE SmtpAccountId = {0} AND SentAt >= {3}
                    """, [accountId, (int)SendWindowPeriod.Day, dayStart, midnight], ct);
            }
            used = await LockWindowsAsync(accountId, slotStart, dayStart, ct);
        }

        var dailyLeft = dailyLimit > 0 ? dailyLimit - used[SendWindowPeriod.Day] : int.MaxValue;
        var granted = Math.Max(0, Math.Min(want, Math.Min(slotQuota - used[SendWindowPeriod.Slot], dailyLeft)));
        if (granted > 0) await db.Database.ExecuteSqlRawAsync("""
            UPDATE AccountSendWindows SET Used = Used + {0}
            WHERE AccountId = {1} AND ((Period = {2} AND WindowStart = {3}) OR (Period = {4} AND WindowStart = {5}))
            """, [granted, accountId, (int)SendWindowPeriod.Slot, slotStart, (int)SendWindowPeriod.Day, dailyLimit > 0 ? dayStart : -1], ct);
        await tx.CommitAsync(ct);
        return new QuotaGrant(granted, DailyLimitReached: dailyLeft <= 0);
    }

    /// <summary>Messages granted against the daily limit but never sent (their slot ended first) go back to the day's quota.</summary>
    public Task GiveBackAsync(long accountId, long dayStart, int unused, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync("UPDATE AccountSendWindows SET Used = Used - {0} WHERE AccountId = {1} AND Period = {2} AND WindowStart = {3} AND Used >= {0}",
            [unused, accountId, (int)SendWindowPeriod.Day, dayStart], ct);

    private async Task<Dictionary<SendWindowPeriod, int>> LockWindowsAsync(long accountId, long slotStart, long dayStart, CancellationToken ct)
    {
        var rows = await db.AccountSendWindows.FromSqlRaw("""
            SELECT * FROM AccountSendWindows
            WHERE AccountId = {0} AND ((Period = {1} AND WindowStart = {2}) OR (Period = {3} AND WindowStart = {4}))
            ORDER BY Period
            """ + (db.Database.IsMySql() ? " FOR UPDATE" : ""), accountId, (int)SendWindowPeriod.Slot, slotStart, (int)SendWindowPeriod.Day, dayStart)
            .AsNoTracking().ToListAsync(ct);
        return rows.ToDictionary(r => r.Period, r => r.Used);
    }

    /// <summary>Takes a free connection slot of the account (below <paramref name="max"/>, not in <paramref name="held"/>); null when all are taken.</summary>
    public async Task<int?> TryTakeConnectionSlotAsync(long accountId, int max, IReadOnlyCollection<int> held, CancellationToken ct)
    {
        var now = Now;
        var until = now + options.Value.Lease;
        for (var pass = 0; pass < 2; pass++)
        {
            for (var slot = 0; slot < max; slot++)
            {
                if (held.Contains(slot)) continue;
                var taken = await db.Database.ExecuteSqlRawAsync("""
                    UPDATE SmtpConnectionSlots SET Owner = {0}, LeaseUntil = {1}
                    WHERE AccountId = {2} AND Slot = {3} AND (Owner IS NULL OR LeaseUntil < {4})
                    """, [_me, until, accountId, slot, now], ct);
                if (taken == 1) return slot;
            }
            if (pass == 0)
            {
                // The account's slot rows may not exist yet (new account, or MaxConnections raised).
                var missing = 0;
                var existing = await db.SmtpConnectionSlots.Where(s => s.AccountId == accountId).Select(s => s.Slot).ToListAsync(ct);
                foreach (var slot in Enumerable.Range(0, max).Except(existing))
                {
                    missing++;
                    await db.Database.ExecuteSqlRawAsync(InsertIgnore + " INTO SmtpConnectionSlots (AccountId, Slot, Owner, LeaseUntil) VALUES ({0}, {1}, NULL, {2})",
                        [accountId, slot, DateTime.UnixEpoch], ct);
                }
                if (missing == 0) return null;
            }
        }
        return null;
    }

    public Task ReleaseConnectionSlotAsync(long accountId, int slot, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync("UPDATE SmtpConnectionSlots SET Owner = NULL WHERE AccountId = {0} AND Slot = {1} AND Owner = {2}",
            [accountId, slot, _me], ct);

    /// <summary>
    /// The heartbeat: every outbox row and connection slot this instance holds gets its lease started again, so no
    /// other instance takes them while this one is alive.
    /// </summary>
    public async Task<int> RenewLeasesAsync(DateTime until, CancellationToken ct)
    {
        var rows = await db.Database.ExecuteSqlRawAsync(
            "UPDATE OutboundMessages SET DueAt = {0} WHERE Status = 'Sending' AND LeaseOwner = {1}", [until, _me], ct);
        await db.Database.ExecuteSqlRawAsync("UPDATE SmtpConnectionSlots SET LeaseUntil = {0} WHERE Owner = {1}", [until, _me], ct);
        return rows;
    }

    /// <summary>Rate windows are only needed while current; day windows for a day or so (clock differences between instances).</summary>
    public Task<int> DeleteOldWindowsAsync(CancellationToken ct)
    {
        var now = new DateTimeOffset(Now).ToUnixTimeMilliseconds();
        return db.Database.ExecuteSqlRawAsync("DELETE FROM AccountSendWindows WHERE (Period = {0} AND WindowStart < {1}) OR (Period = {2} AND WindowStart < {3})",
            [(int)SendWindowPeriod.Slot, now - 60_000, (int)SendWindowPeriod.Day, now - 2 * 86_400_000L], ct);
    }

    /// <summary>At shutdown: every connection slot of this instance is free again.</summary>
    public Task ReleaseAllConnectionSlotsAsync(CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync("UPDATE SmtpConnectionSlots SET Owner = NULL WHERE Owner = {0}", [_me], ct);

    private string InsertIgnore => db.Database.IsMySql() ? "INSERT IGNORE" : "INSERT OR IGNORE";
}
