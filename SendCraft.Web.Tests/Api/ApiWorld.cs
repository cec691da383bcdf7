using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Api;

/// <summary>
/// An app with one workspace (Acme) whose owner is signed in, an SMTP account sending as news@sender.test, and helpers
/// to create API keys through the real page and call /api/v1 with them.
/// </summary>
public sealed class ApiWorld : IAsyncDisposable
{
    public const string From = "news@sender.test";

    public SendCraftApp App { get; private init; } = null!;
    public WebSession Owner { get; private init; } = null!;
    public long WorkspaceId { get; private init; }
    public long AccountId { get; private init; }

    public static async Task<ApiWorld> CreateAsync(DatabaseKind kind, Dictionary<string, string?>? settings = null, int smtpPort = 9)
    {
        var all = new Dictionary<string, string?> { ["Sending:WorkersEnabled"] = "false" };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        var app = await SendCraftApp.StartAsync(kind, all);
        var owner = await app.SetUpOwnerAsync();
        var workspaceId = await app.WorkspaceIdAsync("Acme");
        var (_, accountId, _) = await app.CreateSenderAsync(smtpPort, inWorkspace: workspaceId);
        return new ApiWorld { App = app, Owner = owner, WorkspaceId = workspaceId, AccountId = accountId };
    }

    /// <summary>Creates a key through the API keys page (as an admin would) and returns the secret read from the answer.</summary>
    public async Task<string> CreateKeyAsync(string name = "Shop", string[]? scopes = null, bool sandbox = false, int? ratePerSecond = null,
        string? expiresOn = null, WebSession? session = null)
    {
        session ??= Owner;
        var page = await session.GetPageAsync("/api-keys");
        var token = page.QuerySelector("#api-key-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var fields = new List<KeyValuePair<string, string>> { new("__RequestVerificationToken", token), new("Input.Name", name) };
        foreach (var scope in scopes ?? ["send", "messages:read"]) fields.Add(new("Input.Scopes", scope));
        if (sandbox) fields.Add(new("Input.Sandbox", "true"));
        if (ratePerSecond is { } rate) fields.Add(new("Input.RateLimitPerSecond", rate.ToString()));
        if (expiresOn is not null) fields.Add(new("Input.ExpiresOn", expiresOn));
        var response = await session.Client.PostAsync("/api-keys?handler=Create", new FormUrlEncodedContent(fields));
        var html = await response.Content.ReadAsStringAsync();
        var document = await WebSession.ParseAsync(html);
        var secret = document.QuerySelector("#created-secret")?.GetAttribute("value");
        Assert.True(secret is not null, $"No key created ({(int)response.StatusCode}): {string.Join(" | ", document.QuerySelectorAll(".text-danger").Select(e => e.TextContent.Trim()).Where(t => t.Length > 0))}");
        return secret!;
    }

    public HttpClient Client(string? key)
    {
        var client = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string Message(string to = "ada@example.org", string subject = "Hello", string extra = "") =>
        $$"""{"from":{"address":"{{From}}"},"to":[{"address":"{{to}}","name":"Ada"}],"subject":"{{subject}}","text":"Hi there"{{extra}}}""";

    public static async Task<JsonNode> BodyAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("Empty body");

    /// <summary>Asserts a problem+json answer with this status and returns it.</summary>
    public static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var node = JsonNode.Parse(text)!;
        Assert.Equal(status, node["status"]!.GetValue<int>());
        return node;
    }

    public Task<int> OutboxCountAsync() =>
        App.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().CountAsync());

    public Task<List<OutboundMessage>> MessagesAsync() =>
        App.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Include(m => m.Content).OrderBy(m => m.Id).ToListAsync());

    public async ValueTask DisposeAsync() => await App.DisposeAsync();

    public static string Pretty(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
