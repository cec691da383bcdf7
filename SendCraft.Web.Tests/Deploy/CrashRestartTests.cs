using System.Net;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Deploy;

/// <summary>What systemd's Restart=on-failure relies on: after a SIGKILL the app starts again on its database with nothing lost.</summary>
public abstract class CrashRestartTests(DatabaseKind kind)
{
    [Fact]
    public async Task AppKilledWithSigkill_StartsAgainOnTheSameDatabase_WithItsDataIntact()
    {
        await using var app = await AppProcess.StartAsync(kind);
        var owner = new WebSession(app.CreateClient());
        var setup = await owner.SubmitFormAsync("/Setup", new()
        {
            ["Input.DisplayName"] = "Olivia Owner", ["Input.Email"] = "owner@example.test",
            ["Input.Password"] = SendCraftApp.OwnerPassword, ["Input.ConfirmPassword"] = SendCraftApp.OwnerPassword,
            ["Input.WorkspaceName"] = "Acme",
        });
        Assert.Equal("/", setup.Headers.Location?.OriginalString);

        app.Kill();
        Assert.False(app.IsRunning);
        await Assert.ThrowsAsync<HttpRequestException>(() => app.CreateClient().GetAsync("/healthz"));

        await app.RestartAsync();

        // Setup is done for good, and the owner created before the crash can sign in.
        var visitor = new WebSession(app.CreateClient());
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync("/Setup")).StatusCode);
        var signIn = await visitor.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "owner@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword });
        Assert.True(signIn.Headers.Location?.OriginalString == "/", $"Sign-in after restart answered {(int)signIn.StatusCode}\n{app.OutputTail()}");
        var dashboard = await visitor.GetPageAsync("/");
        Assert.Contains("Acme", dashboard.QuerySelector("#workspace-switcher")!.TextContent);

        // The cookie issued before the crash still signs the owner in: Data Protection keys live in the database.
        var before = await owner.GetPageAsync("/");
        Assert.Contains("Acme", before.QuerySelector("#workspace-switcher")!.TextContent);
    }
}

public sealed class CrashRestartTests_Sqlite() : CrashRestartTests(DatabaseKind.Sqlite);
public sealed class CrashRestartTests_MariaDb() : CrashRestartTests(DatabaseKind.MariaDb);
