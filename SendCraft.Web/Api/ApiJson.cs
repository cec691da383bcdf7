using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace SendCraft.Web.Api;

/// <summary>
/// The API's JSON: snake_case names, unknown fields refused (a typo such as "subjet" must not silently send a mail
/// without a subject), enums as strings, nulls written. Request bodies are read here rather than by minimal API binding, so every
/// failure (malformed JSON, unknown field, wrong type, too large) becomes a problem+json naming the field.
/// </summary>
public static partial class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DictionaryKeyPolicy = null;
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // Nulls are written: every documented field is always present, null when it has no value.
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.AllowTrailingCommas = false;
        o.ReadCommentHandling = JsonCommentHandling.Disallow;
        if (!o.Converters.OfType<JsonStringEnumConverter>().Any())
            o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        return o;
    }

    /// <summary>A request body as <typeparamref name="T"/> with its raw bytes (hashed for idempotency), or the problem to answer.</summary>
    public sealed record Body<T>(T? Value, byte[] Raw, IResult? Problem) where T : class;

    public static async Task<Body<T>> ReadAsync<T>(HttpContext http) where T : class
    {
        var limit = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxRequestBytes;
        if (http.Request.ContentLength > limit) return new(null, [], TooLarge(limit));
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
            return new(null, [], ApiProblems.Result(StatusCodes.Status415UnsupportedMediaType, "Send the body as JSON with 'Content-Type: application/json'."));

        // Read at most limit + 1 bytes: a chunked body without Content-Length is cut off as soon as it is too large.
        using var buffer = new MemoryStream(http.Request.ContentLength is { } length ? (int)Math.Min(length, limit) : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit) return new(null, [], TooLarge(limit));
        }
        var raw = buffer.ToArray();
        if (raw.Length == 0) return new(null, raw, Malformed("The request body is empty; send a JSON object."));

        try
        {
            var value = JsonSerializer.Deserialize<T>(raw, Options);
            return value is null ? new(null, raw, Malformed("The request body must be a JSON object, not null.")) : new(value, raw, null);
        }
        catch (JsonException e)
        {
            return new(null, raw, Describe(e));
        }
    }

    private static IResult TooLarge(long limit) =>
        ApiProblems.Result(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than the limit of {limit:N0} bytes.");

    private static IResult Malformed(string detail) =>
        ApiProblems.Result(StatusCodes.Status400BadRequest, detail);

    /// <summary>Turns System.Text.Json's exception into words naming the field, without .NET type names.</summary>
    private static IResult Describe(JsonException e)
    {
        var path = FieldPath(e.Path);
        var message = e.Message;
        string problem;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var name = UnmappedName().Match(message) is { Success: true } m ? m.Groups[1].Value : null;
            if (name is not null) path = path is null or "" ? name : path.EndsWith(name, StringComparison.Ordinal) ? path : path + "." + name;
            problem = "Unknown field: check its spelling against the API reference.";
        }
        else if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            problem = "Wrong type for this field" + (ExpectedType(message) is { } t ? $": expected {t}." : ".");
        }
        else if (e.Path is null || e.LineNumber is not null)
        {
            var text = message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].Trim();
            return Malformed($"The request body is not valid JSON: {text} (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}).");
        }
        else
        {
            problem = "This value cannot be read for this field.";
        }
        return ApiProblems.Validation(new Dictionary<string, string[]> { [string.IsNullOrEmpty(path) ? "$" : path] = [problem] });
    }

    /// <summary>"$.to[0].address" → "to[0].address".</summary>
    private static string? FieldPath(string? jsonPath) => jsonPath is null ? null : jsonPath.StartsWith("$.") ? jsonPath[2..] : jsonPath.TrimStart('$');

    private static string? ExpectedType(string message)
    {
        if (message.Contains("System.String")) return "a string";
        if (message.Contains("System.Int") || message.Contains("System.Int64")) return "an integer";
        if (message.Contains("System.Boolean")) return "true or false";
        if (message.Contains("System.DateTime")) return "an ISO 8601 date-time such as 2026-01-31T09:00:00Z";
        if (message.Contains("List`1") || message.Contains("[]")) return "an array";
        if (message.Contains("Dictionary`2") || message.Contains("JsonObject")) return "an object";
        if (message.Contains("SendCraft.")) return "an object";
        return null;
    }

    [GeneratedRegex("The JSON property '([^']*)'")]
    private static partial Regex UnmappedName();
}
