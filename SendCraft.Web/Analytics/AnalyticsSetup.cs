using Quartz;

namespace SendCraft.Web.Analytics;

public static class AnalyticsSetup
{
    /// <summary>The rollup and retention jobs' services and options (their schedules: <see cref="ScheduleJobs"/>).</summary>
    public static IServiceCollection AddAnalytics(this IServiceCollection services)
    {
        services.AddOptions<AnalyticsOptions>().BindConfiguration(AnalyticsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<RollupJob>();
        services.AddScoped<RetentionJob>();
        services.AddScoped<DashboardQueries>();
        return services;
    }

    /// <summary>Stored with the schedule; every instance declares them, the cluster runs each on one node at a time.</summary>
    public static void ScheduleJobs(IQuartzBuilder q, IConfiguration configuration)
    {
        var analytics = configuration.GetSection(AnalyticsOptions.Section).Get<AnalyticsOptions>() ?? new AnalyticsOptions();
        var retention = configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>() ?? new RetentionOptions();
        q.ScheduleJob<RollupJob>(t => t.WithIdentity("rollup", "system").WithSimpleSchedule(s => s.WithInterval(analytics.RollupInterval).RepeatForever()),
            j => j.WithIdentity(RollupJob.Key));
        q.ScheduleJob<RetentionJob>(t => t.WithIdentity("retention", "system").WithSimpleSchedule(s => s.WithInterval(retention.Interval).RepeatForever()),
            j => j.WithIdentity(RetentionJob.Key));
    }
}
