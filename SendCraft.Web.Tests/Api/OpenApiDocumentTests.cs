using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using SendCraft.Web.Api;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Api;

/// <summary>
/// The OpenAPI document at /openapi/v1.json: 3.1, every operation with its scope, examples and error answers, valid for
/// an independent linter (Redocly CLI from npm, Api/OpenApiLint/package.json), and its examples really work against the
/// app. Also the Scalar reference at /api/docs and its own CSP.
/// </summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task Document_Is31_EveryOperationHasExamplesAndErrors_AndPassesRedoclyLint()
    {
        await using var world = await ApiWorld.CreateAsync(DatabaseKind.Sqlite);
        using var anonymous = world.Client(null);
        var response = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        await File.WriteAllTextAsync(Path.Combine(RepoPaths.Results("openapi"), "v1.json"), text); // kept for reading
        var document = JsonNode.Parse(text)!;
        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>());
        Assert.NotNull(document["components"]!["securitySchemes"]!["bearer"]);

        var operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value!)))
            .ToList();
        Assert.True(operations.Count >= 5, $"Only {operations.Count} operations");
        foreach (var (path, method, op) in operations)
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            Assert.True(op["operationId"] is not null, $"{name} has no operationId");
            Assert.Contains("Scope:", op["description"]?.GetValue<string>() ?? "");
            var responses = op["responses"]!.AsObject();
            Assert.True(responses.ContainsKey("204")
                        || responses.Any(r => r.Key.StartsWith('2') && r.Value?["content"]?.AsObject().Any(c => c.Value?["example"] is not null) == true),
                $"{name}: no success answer with an example");
            foreach (var status in new[] { "401", "403", "429" })
                Assert.True(responses.ContainsKey(status), $"{name} does not document {status}");
            Assert.All(responses.Where(r => r.Key.StartsWith('4')), r =>
                Assert.True(r.Value!["content"]?["application/problem+json"]?["example"] is not null, $"{name} {r.Key}: no problem+json example"));
            if (op["requestBody"] is { } requestBody)
            {
                Assert.True(requestBody["content"]?["application/json"]?["example"] is not null, $"{name}: no request example");
                Assert.Contains(op["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "Idempotency-Key");
            }
        }

        var (exit, output) = await LintAsync(text);
        Assert.True(exit == 0, $"redocly lint failed ({exit}):\n{output}");
    }

    [Fact]
    public async Task DocumentedExamples_WorkAgainstTheApp()
    {
        await using var world = await ApiWorld.CreateAsync(DatabaseKind.Sqlite);
        await world.App.CreateSenderAsync(9, domain: "example.com", inWorkspace: world.WorkspaceId);
        using var api = world.Client(await world.CreateKeyAsync(scopes: ["send", "messages:read"]));

        var sent = await api.PostAsync("/api/v1/messages", ApiWorld.Json(ApiExamples.SendRequest));
        var sentBody = await ApiWorld.BodyAsync(sent);
        Assert.True(sent.StatusCode == HttpStatusCode.Accepted, ApiWorld.Pretty(sentBody));
        AssertSameShape(JsonNode.Parse(ApiExamples.SendResponse)!, sentBody, "SendMessage");
        var id = sentBody["messages"]![0]!["id"]!.GetValue<long>();

        var batch = await api.PostAsync("/api/v1/messages/batch", ApiWorld.Json(ApiExamples.BatchRequestJson));
        var batchBody = await ApiWorld.BodyAsync(batch);
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        AssertSameShape(JsonNode.Parse(ApiExamples.BatchResponseJson)!, batchBody, "SendBatch");
        Assert.Equal(1, batchBody["queued"]!.GetValue<int>());
        Assert.Equal(1, batchBody["rejected"]!.GetValue<int>());

        var got = await ApiWorld.BodyAsync(await api.GetAsync($"/api/v1/messages/{id}"));
        AssertSameShape(JsonNode.Parse(ApiExamples.MessageJson)!, got, "GetMessage");
        Assert.Equal("Your order 1042 has shipped", got["subject"]!.GetValue<string>());
        var list = await ApiWorld.BodyAsync(await api.GetAsync("/api/v1/messages?limit=1"));
        Assert.NotNull(list["next_cursor"]);
        var cancelled = await ApiWorld.BodyAsync(await api.DeleteAsync($"/api/v1/messages/{id}"));
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());

        // Catalog and suppressions, with a key that has their scopes.
        var templateId = await world.App.QueryAsync(async db =>
        {
            var t = new SendCraft.Web.Data.EmailTemplate { WorkspaceId = world.WorkspaceId, Name = "Order shipped", Subject = "Order {{ order.id }} has shipped",
                HtmlBody = "<p>Hello {{ first_name }}, order {{ order.id }} is on its way.</p>", TextBody = "" };
            db.EmailTemplates.Add(t);
            await db.SaveChangesAsync();
            return t.Id;
        });
        using var catalog = world.Client(await world.CreateKeyAsync("Catalog", scopes: ["templates", "domains", "contacts"]));
        AssertSameShape(JsonNode.Parse(ApiExamples.TemplateSummaryJson)!, (await ApiWorld.BodyAsync(await catalog.GetAsync("/api/v1/templates")))[0]!, "ListTemplates");
        AssertSameShape(JsonNode.Parse(ApiExamples.TemplateJson)!, await ApiWorld.BodyAsync(await catalog.GetAsync($"/api/v1/templates/{templateId}")), "GetTemplate");
        var rendered = await ApiWorld.BodyAsync(await catalog.PostAsync($"/api/v1/templates/{templateId}/render", ApiWorld.Json(ApiExamples.RenderRequestJson)));
        Assert.Equal(JsonNode.Parse(ApiExamples.RenderedJson)!["subject"]!.GetValue<string>(), rendered["subject"]!.GetValue<string>());
        Assert.Equal(JsonNode.Parse(ApiExamples.RenderedJson)!["html"]!.GetValue<string>(), rendered["html"]!.GetValue<string>());
        var domains = await ApiWorld.BodyAsync(await catalog.GetAsync("/api/v1/domains"));
        var domainId = domains.AsArray().Single(d => d!["name"]!.GetValue<string>() == "example.com")!["id"]!.GetValue<long>();
        var domain = await ApiWorld.BodyAsync(await catalog.GetAsync($"/api/v1/domains/{domainId}"));
        AssertSameShape(JsonNode.Parse(ApiExamples.DomainJson)!, domain, "GetDomain");
        Assert.Equal(3, domain["records"]!.AsArray().Count);
        var added = await catalog.PostAsync("/api/v1/suppressions", ApiWorld.Json(ApiExamples.SuppressionRequestJson));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        AssertSameShape(JsonNode.Parse(ApiExamples.SuppressionJson)!, await ApiWorld.BodyAsync(added), "AddSuppression");
        await ApiWorld.ProblemAsync(await catalog.PostAsync("/api/v1/suppressions", ApiWorld.Json(ApiExamples.SuppressionRequestJson)), 409);
        Assert.Single((await ApiWorld.BodyAsync(await catalog.GetAsync("/api/v1/suppressions")))["data"]!.AsArray());
        // A suppressed address gets a row that is never sent.
        var toSuppressed = await ApiWorld.BodyAsync(await api.PostAsync("/api/v1/messages", ApiWorld.Json(ApiExamples.SendRequest)));
        Assert.Equal("suppressed", toSuppressed["messages"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await catalog.DeleteAsync("/api/v1/suppressions/ada@example.org")).StatusCode);
        await ApiWorld.ProblemAsync(await catalog.DeleteAsync("/api/v1/suppressions/ada@example.org"), 404);
        // The send key has none of these scopes.
        Assert.Equal("templates", (await ApiWorld.ProblemAsync(await api.GetAsync("/api/v1/templates"), 403))["required_scope"]!.GetValue<string>());
    }

    /// <summary>
    /// The contacts, lists and campaigns examples, sent as documented: only ids are swapped for this workspace's (the
    /// examples name list 4, account 2 …) and the schedule time moved into the future; each answer has the example's shape.
    /// </summary>
    [Fact]
    public async Task DocumentedResourceExamples_WorkAgainstTheApp()
    {
        await using var world = await ApiWorld.CreateAsync(DatabaseKind.Sqlite);
        using var api = world.Client(await world.CreateKeyAsync("Resources", scopes: ["contacts", "campaigns"]));
        async Task<JsonNode> Call(HttpMethod method, string path, string? json, string? example, string operation, HttpStatusCode expected = HttpStatusCode.OK)
        {
            using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : ApiWorld.Json(json) };
            var response = await api.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{operation}: {(int)response.StatusCode} {text}");
            var body = JsonNode.Parse(text)!;
            if (example is not null) AssertSameShape(JsonNode.Parse(example)!, body, operation);
            return body;
        }
        string? Response(string operation) => ApiExamples.ForOperation(operation)!.Response;
        string With(string json, Action<JsonObject> change) { var node = JsonNode.Parse(json)!.AsObject(); change(node); return node.ToJsonString(); }

        var list = await Call(HttpMethod.Post, "/api/v1/lists", ApiExamples.ListRequestJson, Response("CreateList"), "CreateList", HttpStatusCode.Created);
        var listId = list["id"]!.GetValue<long>();
        await Call(HttpMethod.Patch, $"/api/v1/lists/{listId}", ApiExamples.ListPatchJson, Response("UpdateList"), "UpdateList");
        await Call(HttpMethod.Get, $"/api/v1/lists/{listId}", null, Response("GetList"), "GetList");
        AssertSameShape(JsonNode.Parse(ApiExamples.ListJson)!, (await Call(HttpMethod.Get, "/api/v1/lists", null, null, "ListLists"))["data"]![0]!, "ListLists");

        var contact = await Call(HttpMethod.Post, "/api/v1/contacts", With(ApiExamples.ContactRequestJson, o => o["list_ids"] = new JsonArray(listId)),
            Response("CreateContact"), "CreateContact", HttpStatusCode.Created);
        var contactId = contact["id"]!.GetValue<long>();
        Assert.Equal("London", contact["attributes"]!["city"]!.GetValue<string>());
        await Call(HttpMethod.Get, $"/api/v1/contacts/{contactId}", null, Response("GetContact"), "GetContact");
        await Call(HttpMethod.Get, "/api/v1/contacts?search=ada", null, Response("ListContacts"), "ListContacts");
        var upserted = await Call(HttpMethod.Post, "/api/v1/contacts/upsert", ApiExamples.UpsertRequestJson, Response("UpsertContact"), "UpsertContact");
        Assert.Equal(JsonNode.Parse(ApiExamples.UpsertedJson)!["attributes"]!.ToJsonString(), upserted["attributes"]!.ToJsonString());
        var patched = await Call(HttpMethod.Patch, $"/api/v1/contacts/{contactId}", ApiExamples.ContactPatchJson, Response("UpdateContact"), "UpdateContact");
        Assert.Equal("unsubscribed", patched["status"]!.GetValue<string>());

        var other = await Call(HttpMethod.Post, "/api/v1/contacts", """{"email":"charles@example.org"}""", null, "CreateContact", HttpStatusCode.Created);
        await Call(HttpMethod.Put, $"/api/v1/lists/{listId}/members/{other["id"]}", null, Response("AddListMember"), "AddListMember");
        var members = await Call(HttpMethod.Post, $"/api/v1/lists/{listId}/members",
            With(ApiExamples.MembersRequestJson, o => o["contact_ids"] = new JsonArray(contactId, 424242)), Response("AddListMembers"), "AddListMembers");
        Assert.Equal(["already_member", "rejected", "created", "rejected"], members["results"]!.AsArray().Select(r => r!["status"]!.GetValue<string>()).ToList());

        // Campaigns: the example draft to this list from the workspace's account, changed, scheduled, unscheduled, cancelled.
        var draft = await Call(HttpMethod.Post, "/api/v1/campaigns", With(ApiExamples.CampaignRequestJson, o =>
            {
                o["smtp_account_id"] = world.AccountId;
                o["list_ids"] = new JsonArray(listId);
            }), Response("CreateCampaign"), "CreateCampaign", HttpStatusCode.Created);
        var campaignId = draft["id"]!.GetValue<long>();
        await Call(HttpMethod.Patch, $"/api/v1/campaigns/{campaignId}", ApiExamples.CampaignPatchJson, Response("UpdateCampaign"), "UpdateCampaign");
        await Call(HttpMethod.Get, $"/api/v1/campaigns/{campaignId}", null, Response("GetCampaign"), "GetCampaign");
        await Call(HttpMethod.Get, "/api/v1/campaigns", null, Response("ListCampaigns"), "ListCampaigns");
        var sendAt = world.App.Clock.GetUtcNow().UtcDateTime.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var scheduled = await Call(HttpMethod.Post, $"/api/v1/campaigns/{campaignId}/schedule", With(ApiExamples.ScheduleRequestJson, o => o["send_at"] = sendAt),
            Response("ScheduleCampaign"), "ScheduleCampaign");
        Assert.Equal("scheduled", scheduled["status"]!.GetValue<string>());
        await Call(HttpMethod.Post, $"/api/v1/campaigns/{campaignId}/unschedule", null, Response("UnscheduleCampaign"), "UnscheduleCampaign");
        await Call(HttpMethod.Post, $"/api/v1/campaigns/{campaignId}/schedule", With(ApiExamples.ScheduleRequestJson, o => o["send_at"] = sendAt), null, "ScheduleCampaign");
        var cancelled = await Call(HttpMethod.Post, $"/api/v1/campaigns/{campaignId}/cancel", null, Response("CancelCampaign"), "CancelCampaign");
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/lists/{listId}/members/{contactId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/contacts/{contactId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/lists/{listId}")).StatusCode);
    }

    [Fact]
    public async Task ScalarReference_Loads_WithItsOwnCsp_AndPagesKeepTheStrictOne()
    {
        await using var world = await ApiWorld.CreateAsync(DatabaseKind.Sqlite);
        using var anonymous = world.Client(null);
        Assert.Equal(HttpStatusCode.Found, (await anonymous.GetAsync("/api/docs")).StatusCode); // to /api/docs/
        var docs = await anonymous.GetAsync("/api/docs/");
        var html = await docs.Content.ReadAsStringAsync();
        Assert.True(docs.StatusCode == HttpStatusCode.OK, $"{(int)docs.StatusCode} {docs.Headers.Location}\n{html}");
        Assert.Contains("openapi/v1.json", html);
        var csp = docs.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("'unsafe-eval'", csp);
        Assert.Empty(SendCraft.Web.Tests.Security.SecurityHeadersTests.Problems(docs));
        // The inline configuration script is allowed by its hash, not by 'unsafe-inline'.
        var inline = System.Text.RegularExpressions.Regex.Match(html, "<script type=\"module\">(.*?)</script>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(inline)));
        Assert.Contains($"'sha256-{hash}'", csp);
        // Every script the page loads is allowed by its CSP (same origin) and served.
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*src=\"([^\"]+)\""))
        {
            var src = m.Groups[1].Value;
            Assert.False(src.StartsWith("http", StringComparison.Ordinal), $"External script {src}");
            var url = src.StartsWith('/') ? src : "/api/docs/" + src;
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url)).StatusCode);
        }
        var page = await world.Owner.GetAsync("/api-keys");
        Assert.Equal(SendCraft.Web.Infrastructure.SecurityHeaders.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
    }

    private static void AssertSameShape(JsonNode example, JsonNode actual, string operation)
    {
        foreach (var (key, value) in example.AsObject())
        {
            Assert.True(actual.AsObject().ContainsKey(key), $"{operation}: the example has '{key}', the answer does not: {actual.ToJsonString()}");
            if (value is JsonObject o && actual[key] is JsonObject a) AssertSameShape(o, a, operation + "." + key);
        }
    }

    private static async Task<(int Exit, string Output)> LintAsync(string document)
    {
        var lintDir = Path.Combine(RepoPaths.Root, "SendCraft.Web.Tests", "Api", "OpenApiLint");
        if (!File.Exists(Path.Combine(lintDir, "node_modules", ".bin", "redocly")))
        {
            var (ciExit, ciOutput) = await RunAsync("npm", "ci --no-audit --no-fund --loglevel=error", lintDir);
            Assert.True(ciExit == 0, "npm ci failed:\n" + ciOutput);
        }
        var file = Path.Combine(Path.GetTempPath(), $"sendcraft-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document);
        try
        {
            return await RunAsync(Path.Combine(lintDir, "node_modules", ".bin", "redocly"), $"lint \"{file}\" --config redocly.yaml --format=stylish", lintDir);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int, string)> RunAsync(string program, string arguments, string directory)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
