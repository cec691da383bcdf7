using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Security;

/// <summary>
/// Every GET route the app has (taken from its own endpoint table, so a page added later is covered without a list to
/// update), asked anonymously, as the signed-in owner and as htmx, plus static files, a 404, the error page and
/// /healthz: every answer carries the browser protections (docs/deploy.md, "Browser protections").
/// </summary>
public sealed class SecurityHeadersTests
{
    // 33 pages and /healthz when this was written; far fewer means the enumeration broke, not that pages went away.
    private const int MinimumRoutes = 30;

    [Fact]
    public async Task EveryGetRoute_StaticFile_AndErrorPage_CarriesTheSecurityHeaders_AnonymousSignedInAndHtmx()
    {
        await using var app = await SendCraftApp.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Sending:WorkersEnabled"] = "false" });
        var owner = await app.SetUpOwnerAsync();
        var routeValues = await CreateEntitiesAsync(app, owner);

        var routes = GetRoutes(app);
        Assert.True(routes.Count >= MinimumRoutes, $"Only {routes.Count} GET routes found in the endpoint table:\n{string.Join("\n", routes.Select(r => r.RawText))}");

        var urls = routes.Select(r => Fill(r, routeValues)).Distinct().ToList();
        urls.AddRange([
            "/css/site.css", "/js/site.js", "/js/dashboard.js", "/favicon.svg",
            "/lib/htmx/htmx.min.js", "/lib/bootstrap/bootstrap.min.css", "/lib/bootstrap/bootstrap.bundle.min.js",
            "/lib/bootstrap-icons/bootstrap-icons.min.css", "/lib/bootstrap-icons/fonts/bootstrap-icons.woff2", "/lib/chart.js/chart.umd.min.js",
            "/no-such-page", "/contacts/999999999", "/Error", "/Error?code=500", "/healthz",
        ]);

        var anonymous = app.NewSession();
        var failures = new StringBuilder();
        var checkedAnswers = 0;
        foreach (var url in urls)
        {
            foreach (var (who, session) in new[] { ("anonymous", anonymous), ("owner", owner) })
            {
                foreach (var htmx in new[] { false, true })
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    if (htmx) request.Headers.Add("HX-Request", "true");
                    using var response = await session.Client.SendAsync(request);
                    var problems = Problems(response);
                    // The entities exist, so no page may break on them (a 500 would still carry the headers).
                    if ((int)response.StatusCode >= 500 && url != "/Error?code=500") problems.Add("server error");
                    if (problems.Count > 0)
                        failures.AppendLine($"GET {url} ({who}{(htmx ? ", htmx" : "")}) answered {(int)response.StatusCode}: {string.Join("; ", problems)}");
                    checkedAnswers++;
                }
            }
        }

        // The static files and the 404 must really have been answered as such (not, say, all redirected to a login page).
        var css = await owner.GetAsync("/lib/bootstrap/bootstrap.min.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, (int)(await owner.GetAsync("/no-such-page")).StatusCode);

        Assert.True(failures.Length == 0, $"{checkedAnswers} answers checked; these lack protections:\n{failures}");
    }

    [Fact]
    public async Task Cookies_OverPlainHttp_AreHttpOnlyAndSameSite_ButNotSecure()
    {
        await using var app = await SendCraftApp.StartAsync(DatabaseKind.Sqlite);
        var owner = await app.SetUpOwnerAsync();
        var second = await owner.CreateWorkspaceAsync("Second");

        var setCookies = new List<string>();
        var login = await app.NewSession().GetAsync("/Account/Login");
        setCookies.AddRange(login.Headers.GetValues("Set-Cookie"));
        var page = await owner.GetPageAsync("/");
        var switched = await owner.SubmitFormAsync(page, "/", new() { ["workspaceId"] = second.ToString() }, "form[action='/Workspaces/Switch']");
        setCookies.AddRange(switched.Headers.GetValues("Set-Cookie"));

        var signIn = await app.NewSession().SubmitFormAsync("/Account/Login", new()
        {
            ["Input.Email"] = "owner@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword,
        });
        setCookies.AddRange(signIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains(setCookies, c => c.StartsWith("SendCraft.Auth=", StringComparison.Ordinal));
        Assert.Contains(setCookies, c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        Assert.Contains(setCookies, c => c.StartsWith("SendCraft.Workspace=", StringComparison.Ordinal));
        foreach (var cookie in setCookies)
        {
            var attributes = CookieAttributes(cookie);
            Assert.True(attributes.Contains("httponly"), cookie);
            Assert.True(attributes.Contains("samesite=lax") || attributes.Contains("samesite=strict"), cookie);
            Assert.False(attributes.Contains("secure"), cookie);
        }
    }

    internal static HashSet<string> CookieAttributes(string setCookie) =>
        setCookie.Split(';').Skip(1).Select(a => a.Trim().ToLowerInvariant()).ToHashSet();

    /// <summary>What is missing or too weak on one answer; empty when all is well.</summary>
    internal static List<string> Problems(HttpResponseMessage response)
    {
        var problems = new List<string>();
        string? Header(string name) =>
            response.Headers.TryGetValues(name, out var v) ? string.Join(", ", v)
            : response.Content.Headers.TryGetValues(name, out var c) ? string.Join(", ", c) : null;

        var csp = Header("Content-Security-Policy");
        if (csp is null) problems.Add("no Content-Security-Policy");
        else
        {
            var directives = csp.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(d => d.Split(' ', 2)).ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "");
            var scripts = directives.GetValueOrDefault("script-src") ?? directives.GetValueOrDefault("default-src");
            if (scripts is null) problems.Add("CSP restricts no scripts");
            else if (scripts.Contains("'unsafe-inline'") || scripts.Contains("'unsafe-eval'") || scripts.Contains('*'))
                problems.Add($"CSP script-src too open: {scripts}");
            if (directives.GetValueOrDefault("frame-ancestors") != "'none'") problems.Add("CSP lacks frame-ancestors 'none'");
            if (directives.GetValueOrDefault("object-src") != "'none'") problems.Add("CSP lacks object-src 'none'");
        }
        if (Header("X-Frame-Options") != "DENY") problems.Add($"X-Frame-Options: {Header("X-Frame-Options")}");
        if (Header("X-Content-Type-Options") != "nosniff") problems.Add($"X-Content-Type-Options: {Header("X-Content-Type-Options")}");
        if (Header("Referrer-Policy") is not ("strict-origin-when-cross-origin" or "strict-origin" or "same-origin" or "no-referrer"))
            problems.Add($"Referrer-Policy: {Header("Referrer-Policy")}");
        if (Header("Cross-Origin-Opener-Policy") != "same-origin") problems.Add($"Cross-Origin-Opener-Policy: {Header("Cross-Origin-Opener-Policy")}");
        var permissions = Header("Permissions-Policy") ?? "";
        foreach (var feature in new[] { "camera", "microphone", "geolocation", "payment", "usb" })
            if (!permissions.Contains($"{feature}=()")) problems.Add($"Permissions-Policy does not turn off {feature}: '{permissions}'");
        return problems;
    }

    /// <summary>The route patterns of every endpoint that answers GET (Razor Pages, minimal APIs such as /healthz).</summary>
    internal static List<RoutePattern> GetRoutes(SendCraftApp app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods || methods.HttpMethods.Count == 0 || methods.HttpMethods.Contains("GET"))
            .Select(e => e.RoutePattern)
            .GroupBy(p => p.RawText ?? "").Select(g => g.First())
            .ToList();

    /// <summary>
    /// A URL for <paramref name="pattern"/>: {id} of /contacts/{id} is a real contact, and so on. A parameter nobody
    /// gave a value for fails the test, so a new route with a new kind of parameter gets a value here, not a skip.
    /// </summary>
    private static string Fill(RoutePattern pattern, Dictionary<string, string> values)
    {
        var segments = new List<string>();
        foreach (var segment in pattern.PathSegments)
        {
            var text = new StringBuilder();
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        text.Append(literal.Content);
                        break;
                    case RoutePatternParameterPart parameter:
                        var firstLiteral = pattern.PathSegments.SelectMany(s => s.Parts).OfType<RoutePatternLiteralPart>().FirstOrDefault()?.Content ?? "";
                        var value = values.GetValueOrDefault($"{firstLiteral}/{parameter.Name}") ?? values.GetValueOrDefault(parameter.Name);
                        if (value is null && parameter.IsOptional) break;
                        // A syntactically valid id for a page whose entity the test does not make: a 404 is still an answer to check.
                        value ??= parameter.ParameterPolicies.Any(p => p.Content is "long" or "int") ? "1" : null;
                        Assert.True(value is not null, $"No test value for {{{parameter.Name}}} in {pattern.RawText}: add one in CreateEntitiesAsync.");
                        text.Append(value);
                        break;
                }
            }
            segments.Add(text.ToString());
        }
        return "/" + string.Join('/', segments).TrimEnd('/');
    }

    /// <summary>One of each entity a page shows, in the owner's workspace, keyed "first-literal/parameter" (or just "parameter").</summary>
    private static async Task<Dictionary<string, string>> CreateEntitiesAsync(SendCraftApp app, WebSession owner)
    {
        var workspaceId = await app.WorkspaceIdAsync("Acme");
        var contact = await app.AddContactAsync(workspaceId, "ada@example.test", "Ada");
        var list = await app.AddListAsync(workspaceId, "Newsletter");
        await app.AddToListAsync(workspaceId, list.Id, contact.Id);
        var template = await app.AddTemplateAsync(workspaceId, "Welcome");
        var domainId = await owner.CreateDomainAsync("acme.test");
        var accountId = await owner.CreateSmtpAccountAsync("news@acme.test", "127.0.0.1", 9);
        var message = (await app.QueueAsync(workspaceId, accountId, ["grace@example.test"])).First();
        var importId = await owner.UploadCsvAsync(list.Id, "email,name\nlin@example.test,Lin\n"u8.ToArray());
        var webhookId = await app.QueryAsync(async db =>
        {
            var endpoint = new SendCraft.Web.Data.WebhookEndpoint
            {
                WorkspaceId = workspaceId, Url = "https://hooks.example.com/in", EventTypes = "message.sent",
                SecretProtected = app.Services.GetRequiredService<SendCraft.Web.Sending.SecretProtector>().Protect(SendCraft.Web.Webhooks.WebhookSignature.NewSecret()),
            };
            db.WebhookEndpoints.Add(endpoint);
            await db.SaveChangesAsync();
            return endpoint.Id;
        });
        return new()
        {
            ["contacts/id"] = contact.Id.ToString(),
            ["lists/id"] = list.Id.ToString(),
            ["lists/listId"] = list.Id.ToString(),
            ["templates/key"] = template.Id.ToString(),
            ["domains/id"] = domainId.ToString(),
            ["smtp-accounts/id"] = accountId.ToString(),
            ["messages/id"] = message.Id.ToString(),
            ["imports/id"] = importId.ToString(),
            ["webhooks/id"] = webhookId.ToString(),
            ["invite/token"] = "no-such-invitation",
            ["t/token"] = "00", // tracking: a token that does not verify (404, headers still set)
            // The recipients' pages with a real token (the confirmation and preferences pages render, nobody is unsubscribed by a GET).
            ["u/token"] = app.Services.GetRequiredService<SendCraft.Web.Tracking.MessageTokens>().Create(SendCraft.Web.Tracking.TokenPurpose.Unsubscribe, message.Id),
            ["p/token"] = app.Services.GetRequiredService<SendCraft.Web.Tracking.MessageTokens>().Create(SendCraft.Web.Tracking.TokenPurpose.Unsubscribe, message.Id),
            // The API's catch-all (problem+json 404 for unknown operations).
            ["api/rest"] = "no-such-operation",
        };
    }
}
