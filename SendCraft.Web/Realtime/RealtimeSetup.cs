using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using SendCraft.Web.Infrastructure;
using StackExchange.Redis;

namespace SendCraft.Web.Realtime;

/// <summary>
/// SignalR for live progress and notifications (docs: README "Configuration", deploy/nginx for WebSockets):
/// two hubs, <see cref="NotificationsHub"/> and <see cref="CampaignsHub"/>, for signed-in users (the Identity cookie);
/// <see cref="INotifier"/> and <see cref="ICampaignProgressPublisher"/> for the code that has something to say.
/// </summary>
public static class RealtimeSetup
{
    public static WebApplicationBuilder AddRealtime(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section);

        var signalR = services.AddSignalR();
        // Read here, not later: which HubLifetimeManager serves the hubs is decided when services are registered.
        var redis = builder.Configuration[RealtimeOptions.Section + ":" + nameof(RealtimeOptions.Redis)];
        if (!string.IsNullOrWhiteSpace(redis))
        {
            if (!IsRedisConfiguration(redis))
                throw new StartupSettingException("Realtime:Redis is not a Redis connection string: set it to host:port (for example Realtime__Redis=127.0.0.1:6379), or remove it for a single instance.");
            signalR.AddStackExchangeRedis(redis, o =>
            {
                // Keeps SignalR's channels apart from anything else that uses the same Redis server.
                o.Configuration.ChannelPrefix = RedisChannel.Literal("SendCraft");
                // Start without Redis rather than refuse to start: the client reconnects, and pages work without pushes.
                o.Configuration.AbortOnConnectFail = false;
            });
        }

        services.AddSingleton<ComponentHtml>();
        services.AddSingleton<INotifier, Notifier>();
        services.AddSingleton<ICampaignProgressPublisher, CampaignProgressPublisher>();

        // A hub request without a valid cookie gets 401/403, not the sign-in page's HTML (the client reports it and retries).
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, o =>
        {
            var toLogin = o.Events.OnRedirectToLogin;
            var toDenied = o.Events.OnRedirectToAccessDenied;
            o.Events.OnRedirectToLogin = c => IsHub(c.Request) ? Status(c, StatusCodes.Status401Unauthorized) : toLogin(c);
            o.Events.OnRedirectToAccessDenied = c => IsHub(c.Request) ? Status(c, StatusCodes.Status403Forbidden) : toDenied(c);
        });
        return builder;
    }

    public static WebApplication MapRealtime(this WebApplication app)
    {
        app.MapHub<NotificationsHub>(NotificationsHub.Path);
        app.MapHub<CampaignsHub>(CampaignsHub.Path);
        return app;
    }

    private static bool IsHub(HttpRequest request) => request.Path.StartsWithSegments("/hubs");

    private static Task Status(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static bool IsRedisConfiguration(string value)
    {
        try
        {
            return ConfigurationOptions.Parse(value).EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
