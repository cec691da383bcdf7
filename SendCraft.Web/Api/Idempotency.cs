using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Api;

/// <summary>Endpoint metadata: a POST without a body that still honours Idempotency-Key (documented as such in OpenAPI).</summary>
public sealed record AcceptsIdempotencyKey;

/// <summary>An API answer that can be stored and replayed: status and JSON body.</summary>
public sealed record ApiAnswer(int Status, object? Body, IResult? Problem = null)
{
    public bool IsSuccess => Problem is null && Status is >= 200 and < 300;

    public static ApiAnswer Fail(IResult problem) => new(((IStatusCodeHttpResult)problem).StatusCode ?? 400, null, problem);
}

/// <summary>
/// Idempotency-Key on POST (in the manner of the IETF httpapi Idempotency-Key draft and Stripe): the first successful
/// answer is stored with a hash of the request, in the same transaction as the rows the request wrote. A retry with the
/// same key and body gets the stored answer (header Idempotent-Replayed: true) and writes nothing; the same key with a
/// different body is refused (422). Concurrent identical requests: the unique (ApiKeyId, Key) index makes the second
/// insert wait for the first transaction (InnoDB row lock; SQLite's write lock), then fail as a duplicate, and the
/// second request answers with the first one's stored answer, so the work is done once. Failed requests store nothing:
/// they can be corrected and retried with the same key.
/// </summary>
public sealed class Idempotency(SendCraftDbContext db, TimeProvider clock, IOptions<ApiOptions> options, ILogger<Idempotency> log)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async Task<IResult> RunAsync(HttpContext http, byte[] body, Func<CancellationToken, Task<ApiAnswer>> work, Action? afterCommit = null)
    {
        var ct = http.RequestAborted;
        var key = http.Request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(key))
        {
            var plain = await work(ct);
            if (plain.IsSuccess) afterCommit?.Invoke();
            return ToResult(plain);
        }
        if (key.Length > 255 || key.Any(c => c < 0x21 || c > 0x7e))
            return ApiProblems.Validation(new Dictionary<string, string[]> { [Header] = ["1 to 255 printable ASCII characters without spaces, e.g. a UUID."] });

        var apiKey = http.ApiKey();
        var hash = RequestHash(http.Request, body);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var record = new IdempotencyRecord { ApiKeyId = apiKey.KeyId, Key = key, RequestHash = hash, ResponseBody = "", CreatedAt = now };
            db.IdempotencyRecords.Add(record);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Someone holds or held this key: wait was done by the database; read what they stored.
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                var existing = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.ApiKeyId == apiKey.KeyId && r.Key == key, ct);
                if (existing is null) continue; // the other request failed and stored nothing: do the work ourselves
                if (existing.CreatedAt < now - options.Value.IdempotencyRetention)
                {
                    await db.IdempotencyRecords.Where(r => r.Id == existing.Id).ExecuteDeleteAsync(ct);
                    continue;
                }
                if (existing.RequestHash != hash)
                {
                    return ApiProblems.Result(StatusCodes.Status422UnprocessableEntity,
                        "This Idempotency-Key was already used with a different request. Use a new key for a new request.",
                        new Dictionary<string, object?> { ["idempotency_key"] = key });
                }
                http.Response.Headers[ReplayedHeader] = "true";
                return new StoredResult(existing.StatusCode, existing.ResponseBody);
            }

            var answer = await work(ct);
            if (!answer.IsSuccess)
            {
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return ToResult(answer);
            }
            record.StatusCode = answer.Status;
            record.ResponseBody = JsonSerializer.Serialize(answer.Body, ApiJson.Options);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            afterCommit?.Invoke();
            return new StoredResult(record.StatusCode, record.ResponseBody);
        }
        log.LogWarning("Idempotency key of API key {KeyId} kept changing hands; answering 409", apiKey.KeyId);
        return ApiProblems.Result(StatusCodes.Status409Conflict, "Another request with this Idempotency-Key is in progress; retry shortly.");
    }

    /// <summary>
    /// For work that must commit on its own before the answer (campaign actions: Quartz, on its own connection, must see
    /// the campaign's new state, and on SQLite would wait on a write lock held by the request): the key is claimed first
    /// with an in-progress record (StatusCode 0), committed; the work runs; its answer replaces the claim, or a failure
    /// removes it so the request can be corrected and retried. A retry while the first is still running is answered 409
    /// (retry shortly); a claim left by a crashed instance is taken over after <see cref="AbandonedAfter"/>.
    /// </summary>
    public async Task<IResult> RunCommittedAsync(HttpContext http, byte[] body, Func<CancellationToken, Task<ApiAnswer>> work)
    {
        var ct = http.RequestAborted;
        var key = http.Request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(key)) return ToResult(await work(ct));
        if (key.Length > 255 || key.Any(c => c < 0x21 || c > 0x7e))
            return ApiProblems.Validation(new Dictionary<string, string[]> { [Header] = ["1 to 255 printable ASCII characters without spaces, e.g. a UUID."] });

        var apiKey = http.ApiKey();
        var hash = RequestHash(http.Request, body);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var record = new IdempotencyRecord { ApiKeyId = apiKey.KeyId, Key = key, RequestHash = hash, ResponseBody = "", CreatedAt = now };
            db.IdempotencyRecords.Add(record);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                var existing = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.ApiKeyId == apiKey.KeyId && r.Key == key, ct);
                if (existing is null) continue;
                var abandoned = existing.StatusCode == 0 && existing.CreatedAt < now - AbandonedAfter;
                if (existing.CreatedAt < now - options.Value.IdempotencyRetention || abandoned)
                {
                    await db.IdempotencyRecords.Where(r => r.Id == existing.Id).ExecuteDeleteAsync(ct);
                    continue;
                }
                if (existing.RequestHash != hash)
                {
                    return ApiProblems.Result(StatusCodes.Status422UnprocessableEntity,
                        "This Idempotency-Key was already used with a different request. Use a new key for a new request.",
                        new Dictionary<string, object?> { ["idempotency_key"] = key });
                }
                if (existing.StatusCode == 0)
                    return ApiProblems.Result(StatusCodes.Status409Conflict, "Another request with this Idempotency-Key is in progress; retry shortly.");
                http.Response.Headers[ReplayedHeader] = "true";
                return new StoredResult(existing.StatusCode, existing.ResponseBody);
            }

            ApiAnswer answer;
            try
            {
                answer = await work(ct);
            }
            catch
            {
                await db.IdempotencyRecords.Where(r => r.Id == record.Id).ExecuteDeleteAsync(CancellationToken.None);
                throw;
            }
            if (!answer.IsSuccess)
            {
                await db.IdempotencyRecords.Where(r => r.Id == record.Id).ExecuteDeleteAsync(CancellationToken.None);
                return ToResult(answer);
            }
            var json = JsonSerializer.Serialize(answer.Body, ApiJson.Options);
            await db.IdempotencyRecords.Where(r => r.Id == record.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.StatusCode, answer.Status).SetProperty(r => r.ResponseBody, json), CancellationToken.None);
            return new StoredResult(answer.Status, json);
        }
        log.LogWarning("Idempotency key of API key {KeyId} kept changing hands; answering 409", apiKey.KeyId);
        return ApiProblems.Result(StatusCodes.Status409Conflict, "Another request with this Idempotency-Key is in progress; retry shortly.");
    }

    /// <summary>An in-progress claim of <see cref="RunCommittedAsync"/> older than this was left by a request that died.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    public static IResult ToResult(ApiAnswer answer) =>
        answer.Problem ?? new StoredResult(answer.Status, JsonSerializer.Serialize(answer.Body, ApiJson.Options));

    /// <summary>Method, path and query, and the body bytes: the same key with any of them different is another request.</summary>
    private static string RequestHash(HttpRequest request, byte[] body)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        sha.AppendData(body);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private sealed class StoredResult(int status, string json) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => status;

        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "application/json; charset=utf-8";
            return http.Response.WriteAsync(json, http.RequestAborted);
        }
    }
}
