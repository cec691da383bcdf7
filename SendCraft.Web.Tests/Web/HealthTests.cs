using System.Net;
using System.Text.Json;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Web;

public abstract class HealthTests(DatabaseKind kind)
{
    [Fact]
    public async Task Healthz_Answers200WithDatabaseStatus_And503WhenTheDatabaseIsGone()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var session = app.NewSession(); // anonymous, and before setup: load balancers are not signed in

        var healthy = await session.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        var body = JsonDocument.Parse(await healthy.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ok", body.GetProperty("database").GetString());
        Assert.Equal(app.Database.ProviderSetting, body.GetProperty("provider").GetString());

        await app.Database.DropAsync();
        var unhealthy = await session.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
        Assert.Equal("unreachable", JsonDocument.Parse(await unhealthy.Content.ReadAsStringAsync()).RootElement.GetProperty("database").GetString());
    }
}

public sealed class HealthTests_Sqlite() : HealthTests(DatabaseKind.Sqlite);
public sealed class HealthTests_MariaDb() : HealthTests(DatabaseKind.MariaDb);
