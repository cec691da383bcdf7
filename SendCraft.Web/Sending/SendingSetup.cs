namespace SendCraft.Web.Sending;

public static class SendingSetup
{
    public static IServiceCollection AddSendCraftSending(this IServiceCollection services)
    {
        services.AddOptions<SendingOptions>().BindConfiguration(SendingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<SmtpConnectionPool>();
        services.AddSingleton<WorkerDatabaseGate>();
        services.AddSingleton<AccountThrottle>();
        services.AddSingleton<LeaseKeeper>();
        services.AddScoped<AccountLimitsStore>();
        services.AddSingleton<Personalizer>();
        services.AddSingleton<CampaignGate>();
        services.AddSingleton<BatchSender>();
        services.AddScoped<OutboxStore>();
        services.AddScoped<Outbox>();
        services.AddSingleton<IDnsTxtLookup>(sp => new DnsClientTxtLookup(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SendingOptions>>().Value.DnsTimeout));
        services.AddScoped<DomainDnsChecker>();
        services.AddHostedService<OutboxWorker>();
        // The worker's grace period for the batch in hand must fit inside the host's shutdown timeout.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        return services;
    }
}
