using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace SendCraft.Web.Api;

/// <summary>/api/v1: bearer-key authentication, per-key rate limits, scopes, and the route groups.</summary>
public static class ApiEndpoints
{
    public const string RateLimitPolicy = "api-key";

    public static IServiceCollection AddSendCraftApiEndpoints(this IServiceCollection services)
    {
        services.AddScoped<ApiMessageWriter>();
        services.AddScoped<Idempotency>();
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ApiKeyAuthenticationHandler.Policy, p =>
            p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser());

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // One token bucket per key (and per limit, so a changed limit takes a fresh bucket): the key's own
            // requests/second, else Api:DefaultRateLimitPerSecond; bursts up to twice that.
            o.AddPolicy(RateLimitPolicy, http =>
            {
                var key = http.Features.Get<ApiKeyIdentity>();
                if (key is null) return RateLimitPartition.GetNoLimiter((0L, 0));
                var rate = RateOf(http, key);
                return RateLimitPartition.GetTokenBucketLimiter((key.KeyId, rate), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = rate * 2,
                    TokensPerPeriod = rate,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                var key = http.Features.Get<ApiKeyIdentity>();
                var rate = key is null ? 0 : RateOf(http, key);
                http.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
                http.Response.Headers["RateLimit-Remaining"] = "0";
                http.Response.Headers["RateLimit-Reset"] = retry.ToString(CultureInfo.InvariantCulture);
                await ApiProblems.Write(http, StatusCodes.Status429TooManyRequests,
                    $"This API key may make {rate} requests per second (bursts up to {rate * 2}); retry after {retry} s.",
                    new Dictionary<string, object?> { ["retry_after"] = retry });
            };
        });
        services.AddSendCraftOpenApi();
        return services;
    }

    private static int RateOf(HttpContext http, ApiKeyIdentity key) =>
        key.RateLimitPerSecond ?? http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.DefaultRateLimitPerSecond;

    public static IEndpointRouteBuilder MapSendCraftApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1")
            .RequireAuthorization(ApiKeyAuthenticationHandler.Policy)
            .RequireRateLimiting(RateLimitPolicy)
            .DisableAntiforgery()
            .AddEndpointFilter<ApiErrorFilter>()
            .AddEndpointFilter<ApiScopeFilter>();
        api.MapMessages();
        api.MapCatalog();
        api.MapContactResources();
        api.MapCampaigns();

        // Unknown paths under /api answer problem+json, not the HTML error page.
        // Routing also ends here when an operation exists but the body is not JSON (its Accepts metadata did not match).
        app.Map("/api/{**rest}", (HttpContext http) =>
            {
                var type = http.Request.ContentType?.Split(';')[0].Trim();
                return http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0
                    ? type is not null && type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                        ? ApiProblems.Result(StatusCodes.Status404NotFound, $"No API operation at {http.Request.Method} {http.Request.Path}; see /api/docs.")
                        : ApiProblems.Result(StatusCodes.Status415UnsupportedMediaType, "Send the body as JSON with 'Content-Type: application/json'.")
                    : ApiProblems.Result(StatusCodes.Status404NotFound, $"No API operation at {http.Request.Method} {http.Request.Path}; see /api/docs.");
            })
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Every /api answer is JSON: the status-code pages (which re-execute /Error as HTML for empty 4xx/5xx answers)
    /// are switched off for /api, and the rate-limit policy is announced on each answer.
    /// </summary>
    public static IApplicationBuilder UseSendCraftApiResponses(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/api") && !http.Request.Path.StartsWithSegments("/api/docs"))
            {
                if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
                http.Response.OnStarting(() =>
                {
                    if (http.Features.Get<ApiKeyIdentity>() is { } key && !http.Response.Headers.ContainsKey("RateLimit-Limit"))
                    {
                        var rate = RateOf(http, key);
                        http.Response.Headers["RateLimit-Limit"] = (rate * 2).ToString(CultureInfo.InvariantCulture);
                        http.Response.Headers["RateLimit-Policy"] = $"{rate * 2};w=1;burst={rate * 2};policy=\"token bucket, {rate}/s\"";
                    }
                    return Task.CompletedTask;
                });
            }
            await next(http);
        });
}

/// <summary>An unexpected failure in an API operation: logged, answered 500 problem+json (never a stack trace or the HTML error page).</summary>
public sealed class ApiErrorFilter(ILogger<ApiErrorFilter> log) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            log.LogError(e, "API operation {Method} {Path} failed", context.HttpContext.Request.Method, context.HttpContext.Request.Path);
            return ApiProblems.Result(StatusCodes.Status500InternalServerError, "Something went wrong on our side. Retry with the same Idempotency-Key: it queues at most once.");
        }
    }
}

public static class ApiErrorResponses
{
    /// <summary>Documents the problem+json answers an operation can give.</summary>
    public static RouteHandlerBuilder ApiErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.ProducesProblem(status);
        return builder;
    }
}
