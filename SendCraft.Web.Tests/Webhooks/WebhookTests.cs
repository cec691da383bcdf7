using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;
using SendCraft.Web.Webhooks;

namespace SendCraft.Web.Tests.Webhooks;

/// <summary>
/// Webhooks end to end: endpoints made through the page, a real HTTP receiver on 127.0.0.1, the delivery worker, and
/// signatures checked by Python's hmac (an implementation that is not ours). Loopback is allowed explicitly
/// (Webhooks:AllowedNetworks), as an operator would allow an internal receiver.
/// </summary>
public abstract class WebhookTests(DatabaseKind kind)
{
    private static Dictionary<string, string?> Settings(bool allowLoopback = true, int disableAfter = 50)
    {
        var s = new Dictionary<string, string?>
        {
            ["Webhooks:RetryBaseDelay"] = "00:00:00.200",
            ["Webhooks:RetryMaxDelay"] = "00:00:00.400",
            ["Webhooks:PollInterval"] = "00:00:00.100",
            ["Webhooks:Timeout"] = "00:00:01",
            ["Webhooks:Lease"] = "00:00:30",
            ["Webhooks:SubscriptionCacheTtl"] = "00:00:00.100",
            ["Webhooks:DisableAfterFailures"] = disableAfter.ToString(),
            ["Sending:PollInterval"] = "00:00:00.200",
        };
        if (allowLoopback) s["Webhooks:AllowedNetworks:0"] = "127.0.0.1/32";
        return s;
    }

    [Fact]
    public async Task TestEvent_IsDeliveredWithStandardWebhooksHeaders_AndPythonVerifiesTheSignature()
    {
        await using var receiver = WebhookReceiver.Start();
        await using var app = await SendCraftApp.StartAsync(kind, Settings());
        var owner = await app.SetUpOwnerAsync();
        var (id, secret) = await CreateEndpointAsync(owner, receiver.Url(), WebhookEventTypes.MessageSent);
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);

        // The secret is shown once: neither the endpoint page nor its editor shows it again, and it is stored encrypted.
        Assert.DoesNotContain(secret, await (await owner.GetAsync($"/webhooks/{id}")).Content.ReadAsStringAsync());
        Assert.DoesNotContain(secret, await (await owner.GetAsync($"/webhooks/edit/{id}")).Content.ReadAsStringAsync());
        Assert.DoesNotContain(secret, await app.QueryAsync(db => db.WebhookEndpoints.IgnoreQueryFilters().Select(e => e.SecretProtected).SingleAsync()));

        var page = await owner.GetPageAsync($"/webhooks/{id}");
        var sent = await owner.HtmxPostAsync(page, $"/webhooks/{id}?handler=Test");
        Assert.True(sent.IsSuccessStatusCode, $"{(int)sent.StatusCode}");
        var request = (await receiver.WaitForAsync(1)).Single();

        Assert.Equal("POST", request.Method);
        Assert.Equal("/hooks", request.Path);
        Assert.StartsWith("application/json", request.Headers["content-type"]);
        Assert.StartsWith("evt_", request.Headers["webhook-id"]);
        var timestamp = long.Parse(request.Headers["webhook-timestamp"]);
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        Assert.StartsWith("v1,", request.Headers["webhook-signature"]);
        using (var body = JsonDocument.Parse(request.Body))
        {
            Assert.Equal(WebhookEventTypes.Test, body.RootElement.GetProperty("type").GetString());
            Assert.Equal(id, body.RootElement.GetProperty("data").GetProperty("endpoint_id").GetInt64());
        }

        Assert.Equal("valid", await PythonVerifyAsync(secret, request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Body, request.Headers["webhook-signature"]));
        // The same check refuses a changed body and another secret: it can fail.
        Assert.Equal("invalid", await PythonVerifyAsync(secret, request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Body + " ", request.Headers["webhook-signature"]));
        Assert.Equal("invalid", await PythonVerifyAsync(WebhookSignature.NewSecret(), request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Body, request.Headers["webhook-signature"]));

        // The log shows the delivery with its response code.
        var delivery = await WaitForDeliveryAsync(app, d => d.Status == WebhookDeliveryStatus.Succeeded);
        Assert.Equal(200, delivery.ResponseCode);
        Assert.NotNull(delivery.ResponseMs);
        var log = await owner.GetPageAsync($"/webhooks/{id}");
        var row = log.QuerySelector($"#delivery-{delivery.Id}")!;
        Assert.Equal("Succeeded", row.GetAttribute("data-status"));
        Assert.Equal("200", row.QuerySelector(".response-code")!.TextContent.Trim());

        // Rotating shows a new secret once; the next event is signed with it, not with the old one.
        var rotated = await owner.HtmxPostAsync(log, $"/webhooks/{id}?handler=Rotate");
        var panel = await WebSession.ParseAsync(await rotated.Content.ReadAsStringAsync());
        var newSecret = panel.QuerySelector<IHtmlInputElement>("#webhook-secret")!.Value;
        Assert.NotEqual(secret, newSecret);
        await owner.HtmxPostAsync(log, $"/webhooks/{id}?handler=Test");
        var second = (await receiver.WaitForAsync(2))[1];
        Assert.Equal("valid", await PythonVerifyAsync(newSecret, second.Headers["webhook-id"], second.Headers["webhook-timestamp"], second.Body, second.Headers["webhook-signature"]));
        Assert.Equal("invalid", await PythonVerifyAsync(secret, second.Headers["webhook-id"], second.Headers["webhook-timestamp"], second.Body, second.Headers["webhook-signature"]));
    }

    [Fact]
    public async Task FailedDelivery_500ThenTimeout_IsRetriedWithBackoff_UntilTheReceiverAnswers2xx()
    {
        await using var receiver = WebhookReceiver.Start();
        receiver.Then(new WebhookReceiver.Behaviour(500, Body: "database down"), new WebhookReceiver.Behaviour(200, Delay: TimeSpan.FromSeconds(3)));
        await using var app = await SendCraftApp.StartAsync(kind, Settings());
        var owner = await app.SetUpOwnerAsync();
        var (id, _) = await CreateEndpointAsync(owner, receiver.Url(), WebhookEventTypes.MessageSent);
        await owner.HtmxPostAsync(await owner.GetPageAsync($"/webhooks/{id}"), $"/webhooks/{id}?handler=Test");

        var requests = await receiver.WaitForAsync(3);
        var delivery = await WaitForDeliveryAsync(app, d => d.Status == WebhookDeliveryStatus.Succeeded);
        Assert.Equal(3, delivery.Attempts);
        // Every attempt carries the same event id (receivers de-duplicate on it), and the waits grow.
        Assert.Single(requests.Select(r => r.Headers["webhook-id"]).Distinct());
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(150), $"{requests[1].At - requests[0].At}");
        Assert.True(requests[2].At - requests[1].At >= TimeSpan.FromMilliseconds(1300), "the second retry waits for the timeout (1 s) and a longer backoff");
        var endpoint = await app.QueryAsync(db => db.WebhookEndpoints.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(0, endpoint.ConsecutiveFailures);
        Assert.True(endpoint.IsEnabled);
    }

    [Fact]
    public async Task DeliveryThatKeepsFailing_IsGivenUpAfterRetryFor()
    {
        await using var receiver = WebhookReceiver.Start();
        receiver.Default = new WebhookReceiver.Behaviour(503);
        var settings = Settings();
        settings["Webhooks:RetryFor"] = "00:00:01.500";
        await using var app = await SendCraftApp.StartAsync(kind, settings);
        var owner = await app.SetUpOwnerAsync();
        var (id, _) = await CreateEndpointAsync(owner, receiver.Url(), WebhookEventTypes.MessageSent);
        await owner.HtmxPostAsync(await owner.GetPageAsync($"/webhooks/{id}"), $"/webhooks/{id}?handler=Test");

        var delivery = await WaitForDeliveryAsync(app, d => d.Status == WebhookDeliveryStatus.Failed);
        Assert.True(delivery.Attempts >= 3, $"{delivery.Attempts} attempts");
        Assert.Contains("Gave up after", delivery.Error);
        Assert.Equal(503, delivery.ResponseCode);
        var count = receiver.Requests.Count;
        await Task.Delay(1000);
        Assert.Equal(count, receiver.Requests.Count); // given up: no more requests
    }

    [Fact]
    public async Task Endpoint_IsDisabledAfterNFailuresInARow_ThePageSaysSo_AndRedeliveryWorksOnceItIsEnabledAgain()
    {
        await using var receiver = WebhookReceiver.Start();
        receiver.Default = new WebhookReceiver.Behaviour(500);
        await using var app = await SendCraftApp.StartAsync(kind, Settings(disableAfter: 3));
        var owner = await app.SetUpOwnerAsync();
        var (id, secret) = await CreateEndpointAsync(owner, receiver.Url(), WebhookEventTypes.MessageSent);
        await owner.HtmxPostAsync(await owner.GetPageAsync($"/webhooks/{id}"), $"/webhooks/{id}?handler=Test");

        await receiver.WaitForAsync(3);
        var endpoint = await PollAsync(() => app.QueryAsync(db => db.WebhookEndpoints.IgnoreQueryFilters().SingleAsync()), e => !e.IsEnabled);
        Assert.NotNull(endpoint.DisabledAt);
        Assert.Contains("3 failed deliveries in a row", endpoint.DisabledReason);
        // The pending delivery is closed without another request.
        var failed = await WaitForDeliveryAsync(app, d => d.Status == WebhookDeliveryStatus.Failed);
        Assert.Contains("disabled", failed.Error);
        await Task.Delay(500);
        Assert.Equal(3, receiver.Requests.Count);

        var list = await owner.GetPageAsync("/webhooks");
        Assert.Contains("Disabled automatically after 3 failed deliveries", list.QuerySelector(".auto-disabled")!.TextContent);
        var details = await owner.GetPageAsync($"/webhooks/{id}");
        Assert.NotNull(details.QuerySelector("#endpoint-disabled"));
        // Redelivery waits until the endpoint is enabled again.
        var refused = await owner.HtmxPostAsync(details, $"/webhooks/{id}?handler=Redeliver&deliveryId={failed.Id}");
        Assert.Contains("enable it", Uri.UnescapeDataString(string.Join("", refused.Headers.GetValues("HX-Trigger"))));

        receiver.Default = new WebhookReceiver.Behaviour(204);
        var toggled = await owner.HtmxPostAsync(list, $"/webhooks?handler=Toggle&id={id}");
        Assert.Equal(HttpStatusCode.OK, toggled.StatusCode);
        Assert.Equal(0, await app.QueryAsync(db => db.WebhookEndpoints.IgnoreQueryFilters().Select(e => e.ConsecutiveFailures).SingleAsync()));
        var redelivered = await owner.HtmxPostAsync(details, $"/webhooks/{id}?handler=Redeliver&deliveryId={failed.Id}");
        Assert.Equal(HttpStatusCode.NoContent, redelivered.StatusCode);
        var again = (await receiver.WaitForAsync(4))[3];
        Assert.Equal(receiver.Requests[0].Headers["webhook-id"], again.Headers["webhook-id"]);
        Assert.Equal(receiver.Requests[0].Body, again.Body);
        Assert.Equal("valid", await PythonVerifyAsync(secret, again.Headers["webhook-id"], again.Headers["webhook-timestamp"], again.Body, again.Headers["webhook-signature"]));
        var copy = await WaitForDeliveryAsync(app, d => d.RedeliveryOf == failed.Id && d.Status == WebhookDeliveryStatus.Succeeded);
        Assert.Equal(204, copy.ResponseCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hooks", "loopback")]
    [InlineData("http://localhost/hooks", "loopback")]
    [InlineData("http://[::1]/hooks", "loopback")]
    [InlineData("http://10.1.2.3/hooks", "private")]
    [InlineData("https://172.20.0.1/hooks", "private")]
    [InlineData("https://192.168.1.10/hooks", "private")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://[fe80::1]/hooks", "link-local")]
    [InlineData("http://[fd00::1]/hooks", "private")]
    [InlineData("http://0.0.0.0/hooks", "unspecified")]
    [InlineData("http://224.0.0.251/hooks", "multicast")]
    [InlineData("http://[::ffff:127.0.0.1]/hooks", "loopback")]
    [InlineData("ftp://example.com/hooks", "http://")]
    public async Task Url_ResolvingToANonPublicAddress_IsRefusedAtSave_WithAClearMessage(string url, string expected)
    {
        await using var app = await SendCraftApp.StartAsync(kind, Settings(allowLoopback: false));
        var owner = await app.SetUpOwnerAsync();
        var response = await PostEndpointFormAsync(owner, url, [WebhookEventTypes.MessageSent]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        var error = page.QuerySelector("[data-valmsg-for='Input.Url']")!.TextContent;
        Assert.Contains(expected, error);
        Assert.Null(page.QuerySelector("#webhook-secret"));
        Assert.Equal(0, await app.QueryAsync(db => db.WebhookEndpoints.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public void Guard_AllowsPublicAddresses_AndWhatConfigurationAllows()
    {
        var guard = new AddressGuard(Microsoft.Extensions.Options.Options.Create(new WebhookOptions()));
        Assert.Null(guard.Refusal(IPAddress.Parse("93.184.215.14")));
        Assert.Null(guard.Refusal(IPAddress.Parse("2606:4700::1111")));
        Assert.NotNull(guard.Refusal(IPAddress.Parse("100.64.0.1")));
        Assert.NotNull(guard.Refusal(IPAddress.Parse("64:ff9b::a9fe:a9fe"))); // NAT64 form of 169.254.169.254
        var allowing = new AddressGuard(Microsoft.Extensions.Options.Options.Create(new WebhookOptions { AllowedNetworks = ["10.1.0.0/16"] }));
        Assert.Null(allowing.Refusal(IPAddress.Parse("10.1.200.3")));
        Assert.NotNull(allowing.Refusal(IPAddress.Parse("10.2.0.1")));
        var all = new AddressGuard(Microsoft.Extensions.Options.Options.Create(new WebhookOptions { AllowPrivateAddresses = true }));
        Assert.Null(all.Refusal(IPAddress.Loopback));
    }

    [Fact]
    public async Task Endpoint_WhoseAddressIsRefusedAtDeliveryTime_GetsNoRequest_AndTheLogSaysWhy()
    {
        // Saved while its name resolved to a public address, now resolving to loopback (DNS changed): simulated by a row
        // the save check never saw, in an app that does not allow loopback. The receiver must get nothing.
        await using var receiver = WebhookReceiver.Start();
        await using var app = await SendCraftApp.StartAsync(kind, Settings(allowLoopback: false));
        await app.SetUpOwnerAsync();
        var workspace = await app.WorkspaceIdAsync("Acme");
        var endpointId = await AddEndpointDirectlyAsync(app, workspace, $"http://localhost:{receiver.Port}/hooks", WebhookSignature.NewSecret(), WebhookEventTypes.MessageSent);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspace);
            var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
            var queued = await scope.ServiceProvider.GetRequiredService<WebhookEvents>().EnqueueAsync(workspace, WebhookEventTypes.MessageSent, new { id = 1 });
            Assert.Equal(1, queued);
        }
        var delivery = await WaitForDeliveryAsync(app, d => d.Attempts >= 1);
        Assert.Contains("Not sent", delivery.Error);
        Assert.Contains("loopback", delivery.Error);
        Assert.Null(delivery.ResponseCode);
        await Task.Delay(300);
        Assert.Empty(receiver.Requests);
        Assert.True(endpointId > 0);
    }

    [Fact]
    public async Task MessageSentThroughTheEngine_ProducesQueuedAndSentWebhooks_InOrder_Signed()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var receiver = WebhookReceiver.Start();
        await using var app = await SendCraftApp.StartAsync(kind, Settings());
        var (workspace, account, _) = await app.CreateSenderAsync(sink.Port);
        var secret = WebhookSignature.NewSecret();
        await AddEndpointDirectlyAsync(app, workspace, receiver.Url(), secret, WebhookEventTypes.MessageQueued, WebhookEventTypes.MessageSent);
        // Another workspace's endpoint hears nothing of this workspace's mail.
        await using var other = WebhookReceiver.Start();
        var (otherWorkspace, _, _) = await app.CreateSenderAsync(sink.Port, domain: "other.test", workspaceName: "Other");
        await AddEndpointDirectlyAsync(app, otherWorkspace, other.Url(), WebhookSignature.NewSecret(), WebhookEventTypes.MessageQueued, WebhookEventTypes.MessageSent);
        await Task.Delay(300); // past the subscription cache's TTL

        var rows = await app.QueueAsync(workspace, account, ["ann@rcpt.test"], subject: "Your order");
        await app.WaitForMessagesAsync(all => all.All(m => m.Status == MessageStatus.Sent));
        var requests = await receiver.WaitForAsync(2);
        var types = requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()).ToList();
        Assert.Equal([WebhookEventTypes.MessageQueued, WebhookEventTypes.MessageSent], types.Order().ToList());
        foreach (var r in requests)
        {
            // Recomputed here from the specification's definition (not with the app's signing code).
            var key = Convert.FromBase64String(secret["whsec_".Length..]);
            var expected = "v1," + Convert.ToBase64String(new HMACSHA256(key).ComputeHash(Encoding.UTF8.GetBytes($"{r.Headers["webhook-id"]}.{r.Headers["webhook-timestamp"]}.{r.Body}")));
            Assert.Equal(expected, r.Headers["webhook-signature"]);
            var data = JsonDocument.Parse(r.Body).RootElement.GetProperty("data");
            Assert.Equal(rows[0].Id, data.GetProperty("id").GetInt64());
            Assert.Equal("ann@rcpt.test", data.GetProperty("recipient").GetString());
            Assert.Equal("Your order", data.GetProperty("subject").GetString());
            Assert.Equal(rows[0].MessageId, data.GetProperty("message_id").GetString());
        }
        var sent = JsonDocument.Parse(requests.Single(r => r.Body.Contains("\"message.sent\"")).Body).RootElement.GetProperty("data");
        Assert.Equal(250, sent.GetProperty("smtp_code").GetInt32());
        Assert.Equal("sent", sent.GetProperty("status").GetString());
        await Task.Delay(500);
        Assert.Empty(other.Requests);
    }

    [Fact]
    public async Task DeliveryLog_PagesByKeyset_NewestFirst_WithoutGapsOrRepeats()
    {
        var settings = Settings();
        settings["Webhooks:WorkerEnabled"] = "false";
        await using var app = await SendCraftApp.StartAsync(kind, settings);
        var owner = await app.SetUpOwnerAsync();
        var workspace = await app.WorkspaceIdAsync("Acme");
        var id = await AddEndpointDirectlyAsync(app, workspace, "https://hooks.example.com/in", WebhookSignature.NewSecret(), WebhookEventTypes.MessageSent);
        await app.QueryAsync(async db =>
        {
            db.WebhookDeliveries.AddRange(Enumerable.Range(0, 120).Select(i => new WebhookDelivery
            {
                WorkspaceId = workspace, EndpointId = id, EventId = $"evt_{i}", EventType = WebhookEventTypes.MessageSent, Payload = "{}",
                Status = WebhookDeliveryStatus.Succeeded, ResponseCode = 200, DueAt = DateTime.UtcNow,
            }));
            return await db.SaveChangesAsync();
        });

        var seen = new List<string>();
        var url = $"/webhooks/{id}";
        for (var pages = 0; url is not null; pages++)
        {
            Assert.True(pages < 5);
            var page = await owner.GetPageAsync(url);
            seen.AddRange(page.QuerySelectorAll("#delivery-rows tr").Select(tr => tr.Id!));
            url = page.QuerySelector("#next-page")?.GetAttribute("href");
        }
        Assert.Equal(120, seen.Count);
        Assert.Equal(120, seen.Distinct().Count());
        var ids = seen.Select(s => long.Parse(s["delivery-".Length..])).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    /// <summary>Posts the endpoint form as a browser without JavaScript would (several checkboxes of one name).</summary>
    private static async Task<HttpResponseMessage> PostEndpointFormAsync(WebSession owner, string url, string[] types)
    {
        var page = await owner.GetPageAsync("/webhooks/edit");
        var token = page.QuerySelector("#endpoint-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var fields = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", token), new("Input.Url", url), new("Input.Description", "Orders"), new("Input.IsEnabled", "true"),
        };
        fields.AddRange(types.Select(t => new KeyValuePair<string, string>("Input.EventTypes", t)));
        return await owner.Client.PostAsync("/webhooks/edit", new FormUrlEncodedContent(fields));
    }

    private static async Task<(long Id, string Secret)> CreateEndpointAsync(WebSession owner, string url, params string[] types)
    {
        var response = await PostEndpointFormAsync(owner, url, types);
        var html = await response.Content.ReadAsStringAsync();
        var page = await WebSession.ParseAsync(html);
        var secret = page.QuerySelector<IHtmlInputElement>("#webhook-secret")?.Value
                     ?? throw new InvalidOperationException("No secret shown: " + page.QuerySelector(".field-validation-error")?.TextContent);
        var link = page.QuerySelector("#secret-once a[href^='/webhooks/']")!.GetAttribute("href")!;
        return (long.Parse(link["/webhooks/".Length..]), secret);
    }

    internal static async Task<long> AddEndpointDirectlyAsync(SendCraftApp app, long workspace, string url, string secret, params string[] types)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspace);
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var endpoint = new WebhookEndpoint
        {
            Url = url, EventTypes = WebhookEventTypes.Format(types), SecretProtected = scope.ServiceProvider.GetRequiredService<SecretProtector>().Protect(secret),
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<WebhookSubscriptions>().Invalidate();
        return endpoint.Id;
    }

    private static Task<WebhookDelivery> WaitForDeliveryAsync(SendCraftApp app, Func<WebhookDelivery, bool> done) =>
        PollAsync(async () => (await app.QueryAsync(db => db.WebhookDeliveries.IgnoreQueryFilters().AsNoTracking().OrderBy(d => d.Id).ToListAsync()))
            .FirstOrDefault(done), d => d is not null).ContinueWith(t => t.Result!);

    private static async Task<T> PollAsync<T>(Func<Task<T>> load, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await load();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Condition not reached; last: {JsonSerializer.Serialize(value)}");
            await Task.Delay(100);
        }
    }

    private const string VerifyScript = """
        import sys, json, hmac, hashlib, base64
        d = json.load(sys.stdin)
        key = base64.b64decode(d["secret"].split("_", 1)[1])
        signed = (d["id"] + "." + d["timestamp"] + "." + d["body"]).encode()
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        given = [s.split(",", 1)[1] for s in d["signature"].split(" ") if s.startswith("v1,")]
        print("valid" if any(hmac.compare_digest(expected, g) for g in given) else "invalid")
        """;

    /// <summary>Verifies a Standard Webhooks signature with Python's hmac module, as a receiver written in Python would.</summary>
    private static async Task<string> PythonVerifyAsync(string secret, string id, string timestamp, string body, string signature)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(VerifyScript);
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(new { secret, id, timestamp, body, signature }));
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, error);
        return output.Trim();
    }
}

public sealed class WebhookTests_Sqlite() : WebhookTests(DatabaseKind.Sqlite);
public sealed class WebhookTests_MariaDb() : WebhookTests(DatabaseKind.MariaDb);
