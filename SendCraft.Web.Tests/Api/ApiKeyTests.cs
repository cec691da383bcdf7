using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Api;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Api;

/// <summary>API keys: created on the page (secret shown once, only its hash stored), used as bearer tokens, revoked, expired, scoped.</summary>
public abstract class ApiKeyTests(DatabaseKind kind)
{
    [Fact]
    public async Task Key_CreatedOnPage_IsShownOnceStoredAsHash_WorksUntilRevoked_ThenAnswers401Revoked()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        var secret = await world.CreateKeyAsync("Shop");
        Assert.Matches("^sc_live_[0-9A-Za-z]{32}$", secret);

        // Only the hash and a short prefix are stored; the list shows the prefix, never the secret.
        var stored = await world.App.QueryAsync(db => db.ApiKeys.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(ApiKeySecrets.Hash(secret), stored.SecretHash);
        Assert.Equal(secret[..16], stored.Prefix);
        Assert.Equal(ApiScopes.Send | ApiScopes.MessagesRead, stored.Scopes);
        var list = await (await world.Owner.GetAsync("/api-keys")).Content.ReadAsStringAsync();
        Assert.Contains(stored.Prefix, list);
        Assert.DoesNotContain(secret, list);

        using var api = world.Client(secret);
        var sent = await api.PostAsync("/api/v1/messages", ApiWorld.Json(ApiWorld.Message()));
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);

        // Last used is written in the background, not by the request.
        await world.App.Services.GetRequiredService<ApiKeyUsage>().FlushAsync(CancellationToken.None);
        Assert.NotNull(await world.App.QueryAsync(db => db.ApiKeys.IgnoreQueryFilters().Select(k => k.LastUsedAt).SingleAsync()));

        // Revoke through the page (htmx), as an admin would after confirming.
        var page = await world.Owner.GetPageAsync("/api-keys");
        var revoked = await world.Owner.HtmxPostAsync(page, $"/api-keys?handler=Revoke&id={stored.Id}");
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Contains("revoked", await revoked.Content.ReadAsStringAsync());

        var refused = await api.PostAsync("/api/v1/messages", ApiWorld.Json(ApiWorld.Message()));
        var problem = await ApiWorld.ProblemAsync(refused, 401);
        Assert.Equal("revoked", problem["reason"]!.GetValue<string>());
        Assert.Contains("revoked", refused.Headers.WwwAuthenticate.ToString());
        Assert.Equal(1, await world.OutboxCountAsync());
    }

    [Fact]
    public async Task MissingWrongOrExpiredKey_Answers401_WithTheReason()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        var tomorrow = world.App.Clock.GetUtcNow().UtcDateTime.AddDays(1).ToString("yyyy-MM-dd");
        var expiring = await world.CreateKeyAsync("Short-lived", expiresOn: tomorrow);

        using (var anonymous = world.Client(null))
            Assert.Equal("missing", (await ApiWorld.ProblemAsync(await anonymous.GetAsync("/api/v1/messages"), 401))["reason"]!.GetValue<string>());
        using (var garbage = world.Client("not-a-key"))
            Assert.Equal("invalid", (await ApiWorld.ProblemAsync(await garbage.GetAsync("/api/v1/messages"), 401))["reason"]!.GetValue<string>());
        using (var unknown = world.Client(ApiKeySecrets.Generate(sandbox: false)))
            Assert.Equal("invalid", (await ApiWorld.ProblemAsync(await unknown.GetAsync("/api/v1/messages"), 401))["reason"]!.GetValue<string>());

        // A signed-in browser's cookie is not an API credential.
        Assert.Equal(HttpStatusCode.Unauthorized, (await world.Owner.GetAsync("/api/v1/messages")).StatusCode);

        using var api = world.Client(expiring);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/messages")).StatusCode);
        world.App.Clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal("expired", (await ApiWorld.ProblemAsync(await api.GetAsync("/api/v1/messages"), 401))["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task KeyWithoutTheScope_Answers403_NamingIt_AndQueuesNothing()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        var readOnly = await world.CreateKeyAsync("Reader", scopes: ["messages:read"]);
        var sender = await world.CreateKeyAsync("Sender", scopes: ["send"]);
        var admin = await world.CreateKeyAsync("Admin", scopes: ["admin"]);

        using var reader = world.Client(readOnly);
        var problem = await ApiWorld.ProblemAsync(await reader.PostAsync("/api/v1/messages", ApiWorld.Json(ApiWorld.Message())), 403);
        Assert.Equal("send", problem["required_scope"]!.GetValue<string>());
        Assert.Equal(0, await world.OutboxCountAsync());
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/messages")).StatusCode);

        using var send = world.Client(sender);
        Assert.Equal("messages:read", (await ApiWorld.ProblemAsync(await send.GetAsync("/api/v1/messages"), 403))["required_scope"]!.GetValue<string>());
        using var all = world.Client(admin);
        Assert.Equal(HttpStatusCode.OK, (await all.GetAsync("/api/v1/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await all.PostAsync("/api/v1/messages", ApiWorld.Json(ApiWorld.Message()))).StatusCode);
    }

    [Fact]
    public async Task AnotherWorkspacesMessage_Answers404_AndItsListIsNotVisible()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        var acmeKey = await world.CreateKeyAsync("Acme");
        using var acme = world.Client(acmeKey);
        var sent = await ApiWorld.BodyAsync(await acme.PostAsync("/api/v1/messages", ApiWorld.Json(ApiWorld.Message())));
        var acmeMessage = sent["messages"]![0]!["id"]!.GetValue<long>();

        // A second workspace of the same owner, with its own sender and key.
        var otherId = await world.Owner.CreateWorkspaceAsync("Globex");
        await world.App.CreateSenderAsync(9, domain: "globex.test", inWorkspace: otherId);
        var globexKey = await world.CreateKeyAsync("Globex"); // the owner now works in Globex (the switch sets the cookie)
        var keys = await world.App.QueryAsync(db => db.ApiKeys.IgnoreQueryFilters().Select(k => new { k.Name, k.WorkspaceId }).ToListAsync());
        Assert.Equal(otherId, keys.Single(k => k.Name == "Globex").WorkspaceId);

        using var globex = world.Client(globexKey);
        await ApiWorld.ProblemAsync(await globex.GetAsync($"/api/v1/messages/{acmeMessage}"), 404);
        await ApiWorld.ProblemAsync(await globex.DeleteAsync($"/api/v1/messages/{acmeMessage}"), 404);
        var list = await ApiWorld.BodyAsync(await globex.GetAsync("/api/v1/messages"));
        Assert.Empty(list["data"]!.AsArray());
        // Acme's sender is not Globex's: sending as it is refused, naming the field.
        var problem = await ApiWorld.ProblemAsync(await globex.PostAsync("/api/v1/messages", ApiWorld.Json(ApiWorld.Message())), 400);
        Assert.NotNull(problem["errors"]!["from.address"]);
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync($"/api/v1/messages/{acmeMessage}")).StatusCode);
    }

    [Fact]
    public async Task ApiKeysPage_IsForAdmins_MembersAreRefused()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        await world.App.AddMemberAsync(world.WorkspaceId, "member@example.test", WorkspaceRole.Member);
        var member = await world.App.SignInMemberAsync("member@example.test");
        var response = await member.GetAsync("/api-keys");
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden || response.Headers.Location?.OriginalString.Contains("AccessDenied") == true,
            $"A member opened the API keys page: {(int)response.StatusCode}");
    }
}

public sealed class ApiKeyTests_Sqlite() : ApiKeyTests(DatabaseKind.Sqlite);
public sealed class ApiKeyTests_MariaDb() : ApiKeyTests(DatabaseKind.MariaDb);
