using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SendCraft.Web.Data;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// A DbContext on a test database built with the app's own registration (AddSendCraftDatabase), without
/// starting the app: for tests that prepare data for an app running in another process, or none at all.
/// Its WorkspaceScope is empty, so tenant-filtered queries need IgnoreQueryFilters.
/// </summary>
public static class DirectDb
{
    public static SendCraftDbContext Open(TestDatabase database)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = database.ProviderSetting,
                ["ConnectionStrings:SendCraft"] = database.ConnectionString,
            }).Build())
            .AddSingleton<IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = Path.GetTempPath() })
            .AddSendCraftDatabase()
            .BuildServiceProvider();
        return services.CreateScope().ServiceProvider.GetRequiredService<SendCraftDbContext>();
    }
}
