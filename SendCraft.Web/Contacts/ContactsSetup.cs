using SendCraft.Web.Contacts.Import;

namespace SendCraft.Web.Contacts;

public static class ContactsSetup
{
    /// <summary>Contacts, lists and CSV import: options, the import services and the background worker.</summary>
    public static IServiceCollection AddContacts(this IServiceCollection services)
    {
        services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section)
            .Validate(o => o.BatchSize is > 0 and <= 50_000, "Contacts:Import:BatchSize must be between 1 and 50000.")
            .ValidateOnStart();
        services.AddSingleton<ImportSignal>();
        services.AddScoped<ContactImportService>();
        services.AddScoped<ContactImporter>();
        services.AddHostedService<ContactImportWorker>();
        return services;
    }
}
