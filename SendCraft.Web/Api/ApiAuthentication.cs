using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Api;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> for /api/v1 only (pages keep the cookie). A valid key signs the request in
/// as the key and scopes the database to the key's workspace (WorkspaceScope, the same query filter the pages use), so
/// another workspace's rows are simply not found (404). Missing or unknown key: 401; revoked or expired: 401 naming the
/// reason; a scope the key lacks: 403 (see <see cref="ApiScopeFilter"/>).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyAuthenticator authenticator, WorkspaceScope scope)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Policy = "ApiKey";
    private const string FailureItem = "SendCraft.ApiKeyFailure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = header[7..].Trim();
        var result = await authenticator.ValidateAsync(presented, Context.RequestAborted);
        if (result.Key is not { } key)
        {
            Context.Items[FailureItem] = result;
            return result.Failure == ApiKeyFailure.Missing ? AuthenticateResult.NoResult() : AuthenticateResult.Fail(result.Reason);
        }

        scope.Set(key.WorkspaceId);
        Context.Features.Set(key);
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, "apikey:" + key.KeyId),
            new Claim(ClaimTypes.Name, key.Name),
            new Claim("sendcraft:workspace", key.WorkspaceId.ToString()),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = Context.Items[FailureItem] as ApiKeyValidation ?? new ApiKeyValidation(null, ApiKeyFailure.Missing);
        Response.Headers.WWWAuthenticate = failure.Failure == ApiKeyFailure.Missing
            ? "Bearer"
            : $"Bearer error=\"invalid_token\", error_description=\"{failure.Reason}\"";
        var reason = failure.Failure switch
        {
            ApiKeyFailure.Revoked => "revoked",
            ApiKeyFailure.Expired => "expired",
            ApiKeyFailure.Unknown => "invalid",
            _ => "missing",
        };
        await ApiProblems.Write(Context, StatusCodes.Status401Unauthorized, failure.Reason,
            new Dictionary<string, object?> { ["reason"] = reason });
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.Write(Context, StatusCodes.Status403Forbidden, "This API key may not do this.");
}

/// <summary>The API key of the current request (set by the handler above); every /api/v1 endpoint runs only with one.</summary>
public static class ApiKeyHttpContextExtensions
{
    public static ApiKeyIdentity ApiKey(this HttpContext http) =>
        http.Features.Get<ApiKeyIdentity>() ?? throw new InvalidOperationException("No API key on this request.");
}

/// <summary>Endpoint metadata: the scope an operation needs (also shown in the OpenAPI document).</summary>
public sealed record RequiredScope(ApiScopes Scope);

/// <summary>Answers 403 naming the missing scope before the endpoint runs.</summary>
public sealed class ApiScopeFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var needed = http.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>();
        if (needed is not null && !http.ApiKey().Allows(needed.Scope))
        {
            var name = ApiScopeNames.NameOf(needed.Scope);
            return ApiProblems.Result(StatusCodes.Status403Forbidden,
                $"This API key does not have the '{name}' scope this operation needs.",
                new Dictionary<string, object?> { ["required_scope"] = name });
        }
        return await next(context);
    }
}

public static class ApiScopeExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, ApiScopes scope) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequiredScope(scope));
        return builder;
    }
}
