using System.ComponentModel.DataAnnotations;
using Microsoft.Data.Sqlite;
using MySqlConnector;
using Quartz;
using SendCraft.Web.Data;

namespace SendCraft.Web.Scheduling;

/// <summary>Settings of the Quartz scheduler (section "Scheduling").</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>
    /// Quartz's scheduler name, which is also the partition of the job tables it uses: instances that share a database
    /// must share it (they form one cluster on MySQL). In one process, names must differ (Quartz keeps a registry).
    /// </summary>
    [Required] public string SchedulerName { get; set; } = "SendCraft";

    /// <summary>How often a clustered instance checks in; one silent for longer is presumed dead and its jobs recovered.</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A trigger this late is a misfire (every instance was down at its time); campaign starts then fire at once.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 50)] public int MaxConcurrentJobs { get; set; } = 4;

    /// <summary>Off for instances that only serve pages: they schedule jobs, other instances run them.</summary>
    public bool RunJobs { get; set; } = true;
}

/// <summary>
/// Quartz with its persistent job store in the application database (tables from our own migrations, see
/// <see cref="QuartzSchema"/>): a schedule survives a restart, and on MySQL the instances form a cluster, so a job runs on
/// one of them and a crashed instance's jobs are recovered by another. No RAM store: the SQLite default persists too.
/// </summary>
public static class SchedulingSetup
{
    public static IServiceCollection AddScheduling(this IServiceCollection services, IConfiguration configuration, Action<IQuartzBuilder> jobs)
    {
        services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(SchedulingOptions.Section).Get<SchedulingOptions>() ?? new SchedulingOptions();
        var mySql = configuration.GetValue(DatabaseOptions.Section + ":Provider", DatabaseProvider.Sqlite) == DatabaseProvider.MySql;
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = options.SchedulerName);
            q.UseDefaultThreadPool(options.MaxConcurrentJobs);
            q.UsePersistentStore(store =>
            {
                store.ConfigureStore(o =>
                {
                    o.TablePrefix = QuartzSchema.TablePrefix;
                    o.StoreJobDataAsStrings = true; // readable, and no .NET type names in the database
                    o.MisfireThreshold = options.MisfireThreshold;
                    o.SchemaProvisioning = SchemaProvisioning.Validate; // created by our migrations; checked here
                });
                // The connection string is read when the store first connects, from the app's DbContext configuration
                // (the SQLite default path depends on the content root).
                if (mySql)
                {
                    store.UseMySqlConnector(d => d.DataSourceFactory = sp => new MySqlDataSource(ConnectionString(sp)));
                    store.UseClustering(c => c.CheckinInterval = options.ClusterCheckinInterval);
                }
                else
                {
                    store.UseSqlite(d => d.DataSourceFactory = sp => SqliteFactory.Instance.CreateDataSource(
                        // Quartz's writes are short; behind a busy writer (an import) they wait rather than fail.
                        new SqliteConnectionStringBuilder(ConnectionString(sp)) { DefaultTimeout = 60 }.ToString()));
                }
            });
            jobs(q);
        });
        services.AddQuartzHostedService(o =>
        {
            o.WaitForJobsToComplete = true;
            o.AwaitApplicationStarted = true;
            o.AutoStart = options.RunJobs; // otherwise built and bound in standby: it can still schedule

        });
        return services;
    }

    private static string ConnectionString(IServiceProvider sp)
    {
        using var scope = sp.CreateScope();
        return Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetConnectionString(scope.ServiceProvider.GetRequiredService<SendCraftDbContext>().Database)!;
    }
}
