using SendCraft.Web.Data;

namespace SendCraft.Web.Tracking;

/// <summary>
/// GET /t/c/{token}: a click, answered with a 302 to the link's original URL; GET /t/o/{token}: an open, answered with a
/// 1x1 transparent GIF. Anonymous (the recipient is not signed in). Neither waits on the database for its answer: the
/// event goes to <see cref="TrackingHits"/>, the URL comes from <see cref="TrackedLinks"/>' cache (a cold message costs
/// one read). A token that does not verify, or names no message or link, is a 404 and never a redirect: the endpoint
/// cannot be used as an open redirect.
/// </summary>
public static class TrackingEndpoints
{
    /// <summary>The smallest transparent GIF89a: 43 bytes.</summary>
    internal static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==");

    public static void MapTrackingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/t/c/{token}", async (string token, HttpContext http, MessageTokens tokens, TrackedLinks links, TrackingHits hits, TimeProvider clock) =>
        {
            if (!tokens.TryRead(TokenPurpose.Click, token, out var messageId, out var index)) return Results.NotFound();
            var message = await links.GetAsync(messageId, http.RequestAborted);
            if (message is null || index >= message.Urls.Length) return Results.NotFound();
            hits.Add(new TrackingHit(messageId, MessageEventType.Click, index, clock.GetUtcNow().UtcDateTime, UserAgent(http)));
            http.Response.Headers.CacheControl = "no-store";
            return Results.Redirect(message.Urls[index]);
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapGet("/t/o/{token}", (string token, HttpContext http, MessageTokens tokens, TrackingHits hits, TimeProvider clock) =>
        {
            if (!tokens.TryRead(TokenPurpose.Open, token, out var messageId, out _)) return Results.NotFound();
            // The message's existence is checked by the writer (which reads it anyway): the pixel answers from memory only.
            hits.Add(new TrackingHit(messageId, MessageEventType.Open, null, clock.GetUtcNow().UtcDateTime, UserAgent(http)));
            http.Response.Headers.CacheControl = "no-store, no-cache, must-revalidate, private";
            http.Response.Headers.Pragma = "no-cache";
            return Results.Bytes(Pixel, "image/gif");
        }).AllowAnonymous().ExcludeFromDescription();
    }

    private static string? UserAgent(HttpContext http)
    {
        var agent = http.Request.Headers.UserAgent.ToString();
        return agent.Length == 0 ? null : agent.Length > MessageEvent.UserAgentMaxLength ? agent[..MessageEvent.UserAgentMaxLength] : agent;
    }
}
