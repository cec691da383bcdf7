namespace SendCraft.Web.Data;

/// <summary>What an API key may do. Stored as an integer bit set; the names below are the API's scope strings.</summary>
[Flags]
public enum ApiScopes
{
    None = 0,
    Send = 1,
    MessagesRead = 2,
    Contacts = 4,
    Campaigns = 8,
    Templates = 16,
    Domains = 32,
    Webhooks = 64,
    Admin = 128,
}

/// <summary>
/// A key for the transactional REST API (and SMTP submission), owned by one workspace. Only the SHA-256 of the secret
/// is stored: the plaintext is shown once when the key is created and can never be read back.
/// </summary>
public sealed class ApiKey : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The first characters of the secret ("sc_live_AbCd1234"), enough to recognise a key in a list, too few to use it.</summary>
    public string Prefix { get; set; } = "";
    /// <summary>Lower-case hex SHA-256 of the whole secret; unique, the lookup key of every authenticated request.</summary>
    public string SecretHash { get; set; } = "";
    public ApiScopes Scopes { get; set; }
    /// <summary>A sandbox key (sc_test_): its mail is accepted and logged like live mail but never transmitted.</summary>
    public bool IsSandbox { get; set; }
    public DateTime? ExpiresAt { get; set; }
    /// <summary>Requests per second this key may make; null uses Api:DefaultRateLimitPerSecond.</summary>
    public int? RateLimitPerSecond { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedByUserId { get; set; }
    /// <summary>Updated in the background, at most every Api:LastUsedFlushInterval (not by each request).</summary>
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>
/// The first successful answer to a POST sent with an Idempotency-Key, kept 24 hours: a retry with the same key and
/// the same body gets this answer again, a retry with another body is refused. Written in the same transaction as the
/// request's own rows, so its unique (ApiKeyId, Key) index is also what makes concurrent identical requests wait for
/// each other and queue once.
/// </summary>
public sealed class IdempotencyRecord
{
    public long Id { get; set; }
    public long ApiKeyId { get; set; }
    public string Key { get; set; } = "";
    /// <summary>Hex SHA-256 of method, path and body.</summary>
    public string RequestHash { get; set; } = "";
    public int StatusCode { get; set; }
    public string ResponseBody { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}
