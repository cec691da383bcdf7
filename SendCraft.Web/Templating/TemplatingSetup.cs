namespace SendCraft.Web.Templating;

public static class TemplatingSetup
{
    public static IServiceCollection AddTemplating(this IServiceCollection services)
    {
        services.AddSingleton<TemplateRenderer>(_ => new TemplateRenderer());
        return services;
    }
}
