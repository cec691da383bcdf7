using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using SendCraft.Web.Infrastructure;

namespace SendCraft.Web.Api;

/// <summary>
/// The CSP of the Scalar reference at /api/docs. Everything else keeps <see cref="SecurityHeaders.ContentSecurityPolicy"/>
/// (script-src 'self' only). Scalar's page is its own scripts from /api/docs/ (same origin, fine) plus one inline
/// module that passes the configuration; rather than 'unsafe-inline', the page's inline scripts are allowed by their
/// SHA-256 hashes, computed from the HTML actually served (so a Scalar upgrade that changes the snippet keeps working and
/// nothing else inline can run). Fonts and images may be data: URIs (Scalar inlines some); no other origin is allowed,
/// so the reference loads nothing from a CDN (default fonts are switched off) and its "try it" calls go to this server.
/// </summary>
public sealed partial class ApiDocsContentSecurity(RequestDelegate next)
{
    private const string Base =
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-src 'none'; frame-ancestors 'none'";

    public static bool Applies(HttpContext http) => http.Request.Path.StartsWithSegments(ApiOpenApi.DocsPath);

    public async Task InvokeAsync(HttpContext http)
    {
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = original;
        }

        var hashes = "";
        if (http.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
        {
            var html = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            hashes = string.Concat(InlineScript().Matches(html).Select(m =>
                $" 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'"));
        }
        http.Response.Headers.ContentSecurityPolicy = $"{Base}; script-src 'self'{hashes}";
        if (http.Response.Headers.ContentLength is not null) http.Response.Headers.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(original, http.RequestAborted);
    }

    /// <summary>The body of each script element without a src attribute.</summary>
    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
