using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Api;

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
