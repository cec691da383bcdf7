using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SendCraft.Web.Templating;

public static class TemplatingSetup
{
    public static IServiceCollection AddTemplating(this IServiceCollection services)
    {
        services.AddSingleton<TemplateRenderer>(_ => new TemplateRenderer());
        // The editor page answers both /templates/{id} and /templates/new (no id: a new template).
        services.Configure<RazorPagesOptions>(o => o.Conventions.AddPageRoute("/Templates/Edit", "/templates/new"));
        return services;
    }
}
