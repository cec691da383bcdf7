using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Api;

/// <summary>Who a valid key is: its workspace, what it may do, and whether its mail is only pretended.</summary>
public sealed record ApiKeyIdentity(long KeyId, long WorkspaceId, string Name, ApiScopes Scopes, bool IsSandbox, int? RateLimitPerSecond)
{
    public bool Allows(ApiScopes needed) => ApiScopeNames.Allows(Scopes, needed);
}

public enum ApiKeyFailure { Missing, Unknown, Revoked, Expired }

/// <summary>The outcome of presenting a key: an identity, or why not.</summary>
public sealed record ApiKeyValidation(ApiKeyIdentity? Key, ApiKeyFailure? Failure)
{
    public bool IsValid => Key is not null;

    public string Reason => Failure switch
    {
        ApiKeyFailure.Missing => "No API key: send it as 'Authorization: Bearer sc_live_…'.",
        ApiKeyFailure.Unknown => "The API key is not valid.",
        ApiKeyFailure.Revoked => "The API key has been revoked.",
        ApiKeyFailure.Expired => "The API key has expired.",
        _ => "",
    };
}

/// <summary>
/// Validates a presented key string (REST API bearer tokens, and the password of SMTP submission). A singleton: keys
/// are looked up by the SHA-256 of the secret and remembered for Api:KeyCacheDuration, so a busy client costs one
/// database read per key every few seconds instead of one per request. Expiry is checked on every use, from the cache.
/// Records the use for the last-used time (written later by <see cref="ApiKeyUsage"/>).
/// </summary>
public sealed class ApiKeyAuthenticator(IServiceScopeFactory scopes, IOptions<ApiOptions> options, TimeProvider clock, ApiKeyUsage usage)
{
    private sealed record CachedKey(ApiKeyIdentity? Identity, DateTime? ExpiresAt, bool Revoked, DateTime CachedUntil);

    private readonly ConcurrentDictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);

    public async Task<ApiKeyValidation> ValidateAsync(string? presented, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(presented)) return new(null, ApiKeyFailure.Missing);
        presented = presented.Trim();
        if (!ApiKeySecrets.LooksValid(presented)) return new(null, ApiKeyFailure.Unknown);

        var hash = ApiKeySecrets.Hash(presented);
        var now = clock.GetUtcNow().UtcDateTime;
        if (!_cache.TryGetValue(hash, out var cached) || cached.CachedUntil <= now)
        {
            cached = await LoadAsync(hash, now, ct);
            if (_cache.Count > 10_000) _cache.Clear(); // bounded: random unknown keys must not grow memory without end
            _cache[hash] = cached;
        }

        if (cached.Identity is null) return new(null, ApiKeyFailure.Unknown);
        if (cached.Revoked) return new(null, ApiKeyFailure.Revoked);
        if (cached.ExpiresAt is { } expires && expires <= now) return new(null, ApiKeyFailure.Expired);
        usage.Touch(cached.Identity.KeyId, now);
        return new(cached.Identity, null);
    }

    /// <summary>Forgets what this instance remembers about keys (a revoke or an edit through this instance takes effect at once).</summary>
    public void Forget() => _cache.Clear();

    private async Task<CachedKey> LoadAsync(string hash, DateTime now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        // Across workspaces: the key is what says which workspace the request acts in.
        var key = await db.ApiKeys.IgnoreQueryFilters().AsNoTracking()
            .Where(k => k.SecretHash == hash)
            .Select(k => new { k.Id, k.WorkspaceId, k.Name, k.Scopes, k.IsSandbox, k.RateLimitPerSecond, k.ExpiresAt, k.RevokedAt })
            .FirstOrDefaultAsync(ct);
        var until = now + options.Value.KeyCacheDuration;
        return key is null
            ? new CachedKey(null, null, false, until)
            : new CachedKey(new ApiKeyIdentity(key.Id, key.WorkspaceId, key.Name, key.Scopes, key.IsSandbox, key.RateLimitPerSecond),
                key.ExpiresAt, key.RevokedAt is not null, until);
    }
}
