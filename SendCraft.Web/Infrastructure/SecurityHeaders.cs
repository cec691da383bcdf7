using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.AspNetCore.HttpsPolicy;

namespace SendCraft.Web.Infrastructure;

/// <summary>
/// The browser protections every response carries (pages, htmx partials, error pages, static files, /healthz), and the
/// cookie rules. docs/deploy.md lists the values and why.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Scripts only from our own origin: no inline script, no inline event handler, no eval (htmx runs with
    /// allowEval false). Styles may be inline because the e-mail previews are srcdoc iframes, which inherit this
    /// policy, and e-mail HTML is styled inline; the previews' sandbox="" keeps scripts out of them either way.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'";

    /// <summary>Browser features SendCraft never uses, switched off for the page and anything it frames.</summary>
    public const string PermissionsPolicy =
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), " +
        "gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), " +
        "publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()";

    public static IServiceCollection AddSendCraftSecurityHeaders(this IServiceCollection services)
    {
        // Production HSTS (UseHsts outside Development): a year, this host only (subdomains may be other people's sites).
        services.Configure<HstsOptions>(o => o.MaxAge = TimeSpan.FromDays(365));
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.AddServerHeader = false);
        return services;
    }

    public static HeaderPolicyCollection HeaderPolicies() =>
        new HeaderPolicyCollection()
            // Not AddDefaultSecurityHeaders: it would add HSTS in Development too; HSTS comes from UseHsts (Production).
            .AddFrameOptionsDeny()
            .AddContentTypeOptionsNoSniff()
            .AddReferrerPolicyStrictOriginWhenCrossOrigin()
            .AddCrossOriginOpenerPolicy(b => b.SameOrigin())
            // The library writes CSP and Permissions-Policy on HTML answers only; as custom headers they go on every
            // answer (a JSON or SVG answer opened directly is still a document).
            .AddCustomHeader("Content-Security-Policy", ContentSecurityPolicy)
            .AddCustomHeader("Permissions-Policy", PermissionsPolicy);

    private static HeaderPolicyCollection WithoutCsp(HeaderPolicyCollection policies)
    {
        policies.Remove("Content-Security-Policy");
        return policies;
    }

    /// <summary>
    /// First in the pipeline after the forwarded headers (so the scheme is the client's): the headers are written
    /// when the response starts, so static files, re-executed status-code pages and the exception page get them too.
    /// </summary>
    public static IApplicationBuilder UseSendCraftSecurityHeaders(this IApplicationBuilder app)
    {
        // The API reference (/api/docs, Scalar) gets the same headers with a CSP of its own that allows its inline
        // configuration script by hash (Api/ApiDocsContentSecurity.cs); every other answer the policy above.
        app.UseWhen(http => !Api.ApiDocsContentSecurity.Applies(http), b => b.UseSecurityHeaders(HeaderPolicies()));
        app.UseWhen(Api.ApiDocsContentSecurity.Applies, b => b
            .UseSecurityHeaders(WithoutCsp(HeaderPolicies()))
            .UseMiddleware<Api.ApiDocsContentSecurity>());
        // Every cookie (authentication, antiforgery, workspace, TempData) is HttpOnly, at least SameSite=Lax, and
        // Secure when the request was https, as seen through the forwarded headers of the trusted proxy.
        app.UseCookiePolicy(new CookiePolicyOptions
        {
            HttpOnly = HttpOnlyPolicy.Always,
            MinimumSameSitePolicy = SameSiteMode.Lax,
            Secure = CookieSecurePolicy.SameAsRequest,
        });
        return app;
    }
}
