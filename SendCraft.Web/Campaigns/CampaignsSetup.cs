using Quartz;
using SendCraft.Web.Scheduling;

namespace SendCraft.Web.Campaigns;

public static class CampaignsSetup
{
    /// <summary>Campaigns: their Quartz job (with the scheduler and its persistent store), expansion, control and the monitor.</summary>
    public static IServiceCollection AddCampaigns(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CampaignOptions>().BindConfiguration(CampaignOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScheduling(configuration, q =>
        {
            q.AddJobType<CampaignJob>();
            // Stored with the schedule; every instance declares it, the cluster runs it once an hour.
            q.ScheduleJob<MaintenanceJob>(trigger => trigger.WithIdentity("maintenance", "system").WithSimpleSchedule(TimeSpan.FromHours(1)));
            Analytics.AnalyticsSetup.ScheduleJobs(q, configuration);
        });
        services.AddScoped<MaintenanceJob>();
        services.AddScoped<CampaignScheduler>();
        services.AddScoped<CampaignAudience>();
        services.AddScoped<CampaignExpansionStore>();
        services.AddSingleton<CampaignExpander>();
        services.AddScoped<CampaignRunner>();
        services.AddScoped<CampaignControl>();
        services.AddScoped<CampaignNotices>();
        services.AddSingleton<CampaignMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<CampaignMonitor>());
        return services;
    }
}
