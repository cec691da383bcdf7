using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Api;

/// <summary>An SMTP account the API may send through: active, on an active domain.</summary>
public sealed record ApiSender(long Id, string FromEmail, string FromName);

/// <summary>
/// Each workspace's active SMTP accounts, remembered for Api:SenderCacheDuration (one second by default): a busy API
/// client would otherwise read the same few rows for every message (one database round trip of four per send). A sender
/// the request names but the list lacks is looked up again at once, so an account made a moment ago is never refused;
/// an account deactivated a moment ago may still be accepted for that second (its mail then waits in the outbox like
/// any mail of an inactive account).
/// </summary>
public sealed class ApiSenders(IOptions<ApiOptions> options, TimeProvider clock)
{
    private sealed record Entry(IReadOnlyList<ApiSender> Senders, DateTime Until);

    private readonly ConcurrentDictionary<long, Entry> _byWorkspace = new();

    public async Task<IReadOnlyList<ApiSender>> ActiveAsync(SendCraftDbContext db, long workspaceId, Func<IReadOnlyList<ApiSender>, bool> sufficient, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_byWorkspace.TryGetValue(workspaceId, out var entry) && entry.Until > now && sufficient(entry.Senders)) return entry.Senders;
        // The context's tenant filter limits this to the key's workspace.
        var senders = await db.SmtpAccounts.AsNoTracking().Where(a => a.IsActive && a.Domain!.IsActive)
            .Select(a => new ApiSender(a.Id, a.FromEmail, a.FromName)).ToListAsync(ct);
        if (_byWorkspace.Count > 10_000) _byWorkspace.Clear(); // bounded, like the key cache
        _byWorkspace[workspaceId] = new Entry(senders, now + options.Value.SenderCacheDuration);
        return senders;
    }
}
