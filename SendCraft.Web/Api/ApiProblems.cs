using System.Text.Json;

namespace SendCraft.Web.Api;

/// <summary>
/// RFC 9457 problem details (application/problem+json) for every API error. Validation problems carry
/// <c>errors</c>: a map from the JSON path of each bad field ("to[0].address") to what is wrong with it.
/// </summary>
public static class ApiProblems
{
    public const string ContentType = "application/problem+json";

    public static IResult Result(int status, string detail, IDictionary<string, object?>? extensions = null) =>
        new ProblemResult(Build(status, detail, extensions));

    public static IResult Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        Result(StatusCodes.Status400BadRequest, detail ?? "See errors: each names a field and what is wrong with it.",
            new Dictionary<string, object?> { ["errors"] = errors });

    public static IResult NotFound(string what) =>
        Result(StatusCodes.Status404NotFound, $"No {what} with this id in this workspace.");

    public static Task Write(HttpContext http, int status, string detail, IDictionary<string, object?>? extensions = null) =>
        new ProblemResult(Build(status, detail, extensions)).ExecuteAsync(http);

    /// <summary>Type about:blank, so the title is the status phrase (RFC 9457 §4.2.1); detail says what happened, in words.</summary>
    private static Dictionary<string, object?> Build(int status, string detail, IDictionary<string, object?>? extensions)
    {
        var problem = new Dictionary<string, object?>
        {
            ["type"] = "about:blank",
            ["title"] = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
            ["status"] = status,
            ["detail"] = detail,
        };
        if (extensions is not null)
            foreach (var (k, v) in extensions) problem[k] = v;
        return problem;
    }

    private sealed class ProblemResult(Dictionary<string, object?> body) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => (int)body["status"]!;

        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = StatusCode!.Value;
            http.Response.ContentType = ContentType;
            await JsonSerializer.SerializeAsync(http.Response.Body, body, ApiJson.Options, http.RequestAborted);
        }
    }
}
