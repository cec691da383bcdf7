using Microsoft.Extensions.Options;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Inbound;

namespace SendCraft.Web.Unsubscribe;

public static class UnsubscribeSetup
{
    public static IServiceCollection AddUnsubscribe(this IServiceCollection services)
    {
        services.AddOptions<UnsubscribeOptions>().BindConfiguration(UnsubscribeOptions.Section)
            .Validate(o => o.Problem() is null, "Unsubscribe:MailtoDomain must be a domain name.")
            .ValidateOnStart();
        services.AddSingleton<UnsubscribeLinks>();
        services.AddScoped<UnsubscribeService>();
        services.AddSingleton<IInboundUnsubscribe, MailtoUnsubscribe>();
        return services;
    }

    /// <summary>
    /// POST /u/{token}: RFC 8058 one-click unsubscribe. The pages (GET /u/{token}, /p/{token}) are Razor Pages in
    /// Pages/Unsubscribe; this endpoint is ordered before the page of the same route so it takes the POSTs.
    /// </summary>
    public static IEndpointRouteBuilder MapUnsubscribe(this IEndpointRouteBuilder app)
    {
        // No antiforgery token, by necessity: the POST comes from the recipient's mail provider (Gmail, Yahoo, Apple
        // Mail), which has never seen our pages, so it cannot carry one. What protects it is the token in the URL:
        // signed, naming one message, known only to whoever received that message; a forged or cross-site POST without
        // it gets 404. Link scanners GET, and GET only shows the confirmation page.
        app.MapPost("/u/{token}", async (string token, UnsubscribeService unsubscribe, CancellationToken ct) =>
            {
                // RFC 8058 §3.1: the body is List-Unsubscribe=One-Click (form-urlencoded or multipart). It is not read: a
                // POST without it is still a deliberate act by someone holding the token (scanners do not POST), so it
                // unsubscribes too, and nothing of a stranger's body is parsed.
                return await unsubscribe.UnsubscribeAsync(token, UnsubscribeSource.OneClick, ct) is null
                    ? Results.Text("This unsubscribe link is not valid.", "text/plain", statusCode: StatusCodes.Status404NotFound)
                    : Results.Text("You are unsubscribed: you will receive no more campaign mail from this sender.", "text/plain");
            })
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithOrder(-1)
            .ExcludeFromDescription();
        return app;
    }
}
