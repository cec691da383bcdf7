namespace SendCraft.Web.Webhooks;

public static class WebhooksSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Timeout > TimeSpan.Zero && o.Lease > o.Timeout * 2, "Webhooks:Lease must be more than twice Webhooks:Timeout.")
            .Validate(o => o.RetryBaseDelay > TimeSpan.Zero && o.RetryMaxDelay >= o.RetryBaseDelay, "Webhooks:RetryMaxDelay must be at least Webhooks:RetryBaseDelay.")
            .ValidateOnStart();
        services.AddSingleton<AddressGuard>();
        services.AddSingleton<WebhookSubscriptions>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookSender>();
        services.AddScoped<WebhookEvents>();
        services.AddScoped<WebhookStore>();
        services.AddHostedService<WebhookWorker>();
        return services;
    }
}
