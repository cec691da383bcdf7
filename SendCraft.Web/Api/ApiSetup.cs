namespace SendCraft.Web.Api;

/// <summary>Registration of the REST API: keys, authentication, rate limits, idempotency, OpenAPI.</summary>
public static class ApiSetup
{
    public static IServiceCollection AddSendCraftApi(this IServiceCollection services)
    {
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApiKeyUsage>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiKeyUsage>());
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<ApiSenders>();
        services.AddSendCraftApiEndpoints();
        return services;
    }
}
