using SendCraft.Web.Contacts.Import;

namespace SendCraft.Web.Contacts;

public static class ContactsSetup
{
    /// <summary>Contacts, lists and CSV import: options, the import services, the import's Quartz job and its monitor.</summary>
    public static IServiceCollection AddContacts(this IServiceCollection services)
    {
        services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section)
            .Validate(o => o.BatchSize is > 0 and <= 50_000, "Contacts:Import:BatchSize must be between 1 and 50000.")
            .ValidateOnStart();
        services.AddScoped<ContactImportService>();
        services.AddScoped<ContactImporter>();
        services.AddScoped<ContactImportWorker>();
        services.AddScoped<ImportScheduler>();
        // The job type, scoped, in the container the scheduler's job factory builds jobs from (what q.AddJobType<T>()
        // registers for the default scheduler; the scheduler itself is set up once, in Scheduling/SchedulingSetup).
        services.AddScoped<ImportJob>();
        services.AddHostedService<ImportMonitor>();
        return services;
    }
}
