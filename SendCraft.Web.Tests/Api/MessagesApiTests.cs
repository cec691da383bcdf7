using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;
using SendCraft.Web.Tests.Webhooks;
using SendCraft.Web.Webhooks;

namespace SendCraft.Web.Tests.Api;

/// <summary>/api/v1/messages through the real app: queueing, reading, listing, cancelling, and every kind of bad request.</summary>
public abstract class MessagesApiTests(DatabaseKind kind)
{
    [Fact]
    public async Task Send_Answers202WithCommittedIds_ThenGetListAndCancelSeeIt()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        using var api = world.Client(await world.CreateKeyAsync());
        var response = await api.PostAsync("/api/v1/messages", ApiWorld.Json($$"""
            {
              "from": {"address": "{{ApiWorld.From}}", "name": "Example Shop"},
              "to": [{"address": "Ada@Example.org", "name": "Ada Lovelace"}],
              "cc": [{"address": "cc@example.org"}],
              "bcc": [{"address": "audit@example.org"}],
              "reply_to": [{"address": "help@example.org"}],
              "subject": "Order 1042 shipped",
              "html": "<p>On its way</p>",
              "text": "On its way",
              "headers": {"X-Order": "1042"},
              "tags": ["order", "shipping"],
              "metadata": {"order_id": 1042},
              "attachments": [{"filename": "note.txt", "content_type": "text/plain", "content": "aGVsbG8="}]
            }
            """));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await ApiWorld.BodyAsync(response);
        var ids = body["messages"]!.AsArray().Select(m => m!["id"]!.GetValue<long>()).ToList();
        Assert.Equal(3, ids.Count);

        // Committed before the answer: the rows are there, one per recipient, sharing one content.
        var rows = await world.MessagesAsync();
        Assert.Equal(ids, rows.Select(r => r.Id).ToList());
        Assert.Equal(["ada@example.org", "cc@example.org", "audit@example.org"], rows.Select(r => r.Recipient).ToList());
        Assert.All(rows, r => Assert.Equal(MessageStatus.Queued, r.Status));
        var content = rows[0].Content!;
        Assert.Equal("Example Shop", content.FromName);
        Assert.Equal("help@example.org", content.ReplyTo);
        Assert.Contains("X-Order", content.CustomHeaders);
        Assert.DoesNotContain("audit", content.ToHeader + content.CcHeader);

        var one = await ApiWorld.BodyAsync(await api.GetAsync($"/api/v1/messages/{ids[0]}"));
        Assert.Equal("queued", one["status"]!.GetValue<string>());
        Assert.Equal(1042, one["metadata"]!["order_id"]!.GetValue<int>());
        Assert.Equal(["order", "shipping"], one["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToList());

        // Keyset pages, newest first, and filters.
        var page1 = await ApiWorld.BodyAsync(await api.GetAsync("/api/v1/messages?limit=2"));
        Assert.Equal([ids[2], ids[1]], page1["data"]!.AsArray().Select(m => m!["id"]!.GetValue<long>()).ToList());
        var cursor = page1["next_cursor"]!.GetValue<string>();
        var page2 = await ApiWorld.BodyAsync(await api.GetAsync($"/api/v1/messages?limit=2&cursor={cursor}"));
        Assert.Equal([ids[0]], page2["data"]!.AsArray().Select(m => m!["id"]!.GetValue<long>()).ToList());
        Assert.Null(page2["next_cursor"]);
        Assert.Single((await ApiWorld.BodyAsync(await api.GetAsync("/api/v1/messages?recipient=cc@example.org")))["data"]!.AsArray());
        Assert.Equal(3, (await ApiWorld.BodyAsync(await api.GetAsync("/api/v1/messages?tag=shipping")))["data"]!.AsArray().Count);
        Assert.Empty((await ApiWorld.BodyAsync(await api.GetAsync("/api/v1/messages?tag=other")))["data"]!.AsArray());
        var badFilter = await ApiWorld.ProblemAsync(await api.GetAsync("/api/v1/messages?status=lost&limit=1000"), 400);
        Assert.NotNull(badFilter["errors"]!["status"]);
        Assert.NotNull(badFilter["errors"]!["limit"]);

        // Cancel while queued; a second cancel is a conflict; an unknown id is 404.
        var cancelled = await ApiWorld.BodyAsync(await api.DeleteAsync($"/api/v1/messages/{ids[0]}"));
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        await ApiWorld.ProblemAsync(await api.DeleteAsync($"/api/v1/messages/{ids[0]}"), 409);
        await ApiWorld.ProblemAsync(await api.GetAsync("/api/v1/messages/999999"), 404);
        await ApiWorld.ProblemAsync(await api.GetAsync("/api/v1/nothing-here"), 404);
    }

    [Theory]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org"}],"subject":"x","text":"y","subjet":"typo"}""", "subjet")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"adress":"a@example.org"}],"subject":"x","text":"y"}""", "to[0].adress")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org"}],"subject":42,"text":"y"}""", "subject")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":"a@example.org","subject":"x","text":"y"}""", "to")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"not an address"}],"subject":"x","text":"y"}""", "to[0].address")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org"}],"subject":"x\r\nBcc: victim@example.org","text":"y"}""", "subject")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org","name":"A\nBcc: v@example.org"}],"subject":"x","text":"y"}""", "to[0].name")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org"}],"subject":"x","text":"y","headers":{"X-Ok":"a\r\nBcc: v@example.org"}}""", "headers.X-Ok")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org"}],"subject":"x","text":"y","headers":{"Bcc":"v@example.org"}}""", "headers.Bcc")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org"}],"subject":"x","text":"y","headers":{"DKIM-Signature":"v=1"}}""", "headers.DKIM-Signature")]
    [InlineData("""{"from":{"address":"stranger@elsewhere.test"},"to":[{"address":"a@example.org"}],"subject":"x","text":"y"}""", "from.address")]
    [InlineData("""{"to":[{"address":"a@example.org"}],"subject":"x","text":"y"}""", "from")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[],"subject":"x","text":"y"}""", "to")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org"}],"subject":"x"}""", "html")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org"}],"subject":"x","text":"y","attachments":[{"filename":"a.pdf","content":"%%%"}]}""", "attachments[0].content")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org"}],"subject":"x","text":"y","template_id":999}""", "template_id")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org"}],"subject":"x","text":"y","send_at":"tomorrow"}""", "send_at")]
    [InlineData("""{"from":{"address":"news@sender.test"},"to":[{"address":"a@example.org"}],"subject":"x","text":"y","tags":["no spaces please"]}""", "tags[0]")]
    public async Task BadField_Answers400ProblemNamingIt_AndQueuesNothing(string json, string field)
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        using var api = world.Client(await world.CreateKeyAsync());
        var problem = await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/messages", ApiWorld.Json(json)), 400);
        var errors = problem["errors"]?.AsObject();
        Assert.True(errors is not null && errors.ContainsKey(field), $"Expected an error for {field}: {ApiWorld.Pretty(problem)}");
        Assert.DoesNotContain("SendCraft.", problem.ToJsonString()); // no .NET type names
        Assert.Equal(0, await world.OutboxCountAsync());
    }

    [Fact]
    public async Task MalformedJson_WrongMediaType_AndOversizedBody_AreClear4xx_AndQueueNothing()
    {
        await using var world = await ApiWorld.CreateAsync(kind, new() { ["Api:MaxRequestBytes"] = "4096" });
        using var api = world.Client(await world.CreateKeyAsync());
        var malformed = await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/messages", ApiWorld.Json("""{"from": {"address": "x"}, """)), 400);
        Assert.Contains("not valid JSON", malformed["detail"]!.GetValue<string>());
        await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/messages", ApiWorld.Json("")), 400);
        await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/messages", ApiWorld.Json("null")), 400);
        await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/messages", new StringContent(ApiWorld.Message())), 415);
        var big = ApiWorld.Message(extra: $",\"html\":\"{new string('x', 5000)}\"");
        await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/messages", ApiWorld.Json(big)), 413);
        // Chunked, without Content-Length: cut off at the limit all the same.
        var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/messages") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await ApiWorld.ProblemAsync(await api.SendAsync(request), 413);
        Assert.Equal(0, await world.OutboxCountAsync());
    }

    [Fact]
    public async Task Attachments_OverTheConfiguredLimit_AreRefused()
    {
        await using var world = await ApiWorld.CreateAsync(kind, new() { ["Api:MaxAttachmentBytes"] = "1024" });
        using var api = world.Client(await world.CreateKeyAsync());
        var content = Convert.ToBase64String(new byte[1500]);
        var problem = await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/messages",
            ApiWorld.Json(ApiWorld.Message(extra: $",\"attachments\":[{{\"filename\":\"a.bin\",\"content\":\"{content}\"}}]"))), 400);
        Assert.NotNull(problem["errors"]!["attachments[0].content"]);
        Assert.Equal(0, await world.OutboxCountAsync());
    }

    [Fact]
    public async Task Template_IsRenderedWithVariables_AndSendAtDelaysTheRow()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        var template = await world.App.QueryAsync(async db =>
        {
            var t = new EmailTemplate { WorkspaceId = world.WorkspaceId, Name = "Shipped", Subject = "Order {{ order.id }} shipped", HtmlBody = "<p>Hi {{ first_name }}</p>", TextBody = "" };
            db.EmailTemplates.Add(t);
            await db.SaveChangesAsync();
            return t;
        });
        using var api = world.Client(await world.CreateKeyAsync());
        var at = world.App.Clock.GetUtcNow().AddHours(2);
        var response = await api.PostAsync("/api/v1/messages", ApiWorld.Json($$"""
            {"from":{"address":"{{ApiWorld.From}}"},"to":[{"address":"ada@example.org"}],"template_id":{{template.Id}},
             "variables":{"first_name":"<Ada>","order":{"id":1042} },"send_at":"{{at:O}}"}
            """));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var row = (await world.MessagesAsync()).Single();
        Assert.Equal("Order 1042 shipped", row.Content!.Subject);
        Assert.Contains("Hi &lt;Ada&gt;", row.Content.HtmlBody); // HTML-encoded, as the renderer does for pages
        Assert.Contains("Hi <Ada>", row.Content.TextBody);
        Assert.True(Math.Abs((row.DueAt - at.UtcDateTime).TotalSeconds) < 1, $"due {row.DueAt:O}, asked {at:O}");
    }

    [Fact]
    public async Task Batch_QueuesTheValidItems_ReportsTheOthersByIndex_AndRefusesOver500()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        using var api = world.Client(await world.CreateKeyAsync());
        var response = await api.PostAsync("/api/v1/messages/batch", ApiWorld.Json($$"""
            {"messages":[{{ApiWorld.Message("one@example.org")}},{{ApiWorld.Message("bad address")}},{{ApiWorld.Message("three@example.org")}}]}
            """));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await ApiWorld.BodyAsync(response);
        Assert.Equal(2, body["queued"]!.GetValue<int>());
        var results = body["results"]!.AsArray();
        Assert.Equal("rejected", results[1]!["status"]!.GetValue<string>());
        Assert.NotNull(results[1]!["errors"]!["messages[1].to[0].address"]);
        Assert.Equal(["one@example.org", "three@example.org"], (await world.MessagesAsync()).Select(m => m.Recipient).ToList());

        var none = await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/messages/batch", ApiWorld.Json($$"""{"messages":[{{ApiWorld.Message("bad address")}}]}""")), 400);
        Assert.NotNull(none["errors"]!["messages[0].to[0].address"]);
        var tooMany = "{\"messages\":[" + string.Join(",", Enumerable.Repeat(ApiWorld.Message(), 501)) + "]}";
        Assert.NotNull((await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/messages/batch", ApiWorld.Json(tooMany)), 400))["errors"]!["messages"]);
        Assert.Equal(2, await world.OutboxCountAsync());
    }

    [Fact]
    public async Task SandboxKey_IsAcceptedAndLogged_ButNothingReachesSmtp_WhileLiveMailDoes()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var world = await ApiWorld.CreateAsync(kind, new() { ["Sending:WorkersEnabled"] = "true" }, smtpPort: sink.Port);
        using var sandbox = world.Client(await world.CreateKeyAsync("Test", sandbox: true));
        using var live = world.Client(await world.CreateKeyAsync("Live"));

        var tested = await ApiWorld.BodyAsync(await sandbox.PostAsync("/api/v1/messages", ApiWorld.Json(ApiWorld.Message("sandboxed@example.org"))));
        Assert.True(tested["sandbox"]!.GetValue<bool>());
        Assert.Equal("sandboxed", tested["messages"]![0]!["status"]!.GetValue<string>());
        var batch = await sandbox.PostAsync("/api/v1/messages/batch", ApiWorld.Json($$"""{"messages":[{{ApiWorld.Message("sandboxed2@example.org")}}]}"""));
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await live.PostAsync("/api/v1/messages", ApiWorld.Json(ApiWorld.Message("live@example.org")))).StatusCode);

        // The live message is sent; once it is, the sandbox ones (queued before it) would have been too if they could.
        await world.App.WaitForMessagesAsync(rows => rows.Any(r => r.Recipient == "live@example.org" && r.Status == MessageStatus.Sent), TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        Assert.Equal(["live@example.org"], sink.Recipients());
        var sandboxed = (await world.MessagesAsync()).Where(m => m.Recipient.StartsWith("sandboxed")).ToList();
        Assert.Equal(2, sandboxed.Count);
        Assert.All(sandboxed, m => Assert.Equal(MessageStatus.Sandboxed, m.Status));
        Assert.All(sandboxed, m => Assert.Equal(0, m.Attempts));
        // Logged like live mail: the API and the message log show it.
        var shown = await ApiWorld.BodyAsync(await sandbox.GetAsync($"/api/v1/messages/{sandboxed[0].Id}"));
        Assert.Equal("sandboxed", shown["status"]!.GetValue<string>());
        var log = await (await world.Owner.GetAsync("/messages")).Content.ReadAsStringAsync();
        Assert.Contains("sandboxed@example.org", log);
    }

    [Fact]
    public async Task ApiMail_RaisesMessageQueuedWebhooks_CommittedWithItsRows_AndAFailedRequestRaisesNone()
    {
        await using var world = await ApiWorld.CreateAsync(kind, new() { ["Webhooks:SubscriptionCacheTtl"] = "00:00:00.050" });
        await WebhookTests.AddEndpointDirectlyAsync(world.App, world.WorkspaceId, "https://hooks.example.org/in", WebhookSignature.NewSecret(), WebhookEventTypes.MessageQueued);
        using var api = world.Client(await world.CreateKeyAsync());

        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/v1/messages", ApiWorld.Json(ApiWorld.Message(to: "not-an-address")))).StatusCode);
        var batch = $$"""{"messages":[{{ApiWorld.Message(to: "one@example.org")}},{{ApiWorld.Message(to: "two@example.org")}},{{ApiWorld.Message(to: "bad")}}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/messages/batch") { Content = ApiWorld.Json(batch) };
        request.Headers.Add("Idempotency-Key", "order-77");
        Assert.Equal(HttpStatusCode.Accepted, (await api.SendAsync(request)).StatusCode);

        var rows = await world.MessagesAsync();
        var deliveries = await world.App.QueryAsync(db => db.WebhookDeliveries.IgnoreQueryFilters().AsNoTracking().ToListAsync());
        Assert.Equal(["one@example.org", "two@example.org"], rows.Select(r => r.Recipient).ToList());
        Assert.All(deliveries, d => Assert.Equal(WebhookEventTypes.MessageQueued, d.EventType));
        Assert.Equal(rows.Select(r => r.Id).Order(), deliveries.Select(d => JsonNode.Parse(d.Payload)!["data"]!["id"]!.GetValue<long>()).Order());
    }
}

public sealed class MessagesApiTests_Sqlite() : MessagesApiTests(DatabaseKind.Sqlite);
public sealed class MessagesApiTests_MariaDb() : MessagesApiTests(DatabaseKind.MariaDb);
