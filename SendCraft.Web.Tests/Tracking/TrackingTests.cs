using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Api;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Api;
using SendCraft.Web.Tests.Analytics;
using SendCraft.Web.Tests.Infrastructure;
using SendCraft.Web.Tracking;
using SendCraft.Web.Webhooks;

namespace SendCraft.Web.Tests.Tracking;

/// <summary>
/// Open and click tracking end to end: mail sent by the real workers over SMTP to an in-test server, its MIME read by
/// Python's email package and its DKIM checked by dkimpy; real HTTP requests to /t/c and /t/o; events written by the
/// real writer into the database.
/// </summary>
public abstract partial class TrackingTests(DatabaseKind kind)
{
    private const string Browser = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    private static readonly Dictionary<string, string?> Fast = new()
    {
        ["Sending:PollInterval"] = "00:00:00.200",
        ["Campaigns:MonitorInterval"] = "00:00:00.300",
        ["PublicBaseUrl"] = "https://track.example.test/",
        ["Tracking:HoldBack"] = "00:00:00.300",
        ["Webhooks:PollInterval"] = "00:00:00.100",
        ["Webhooks:SubscriptionCacheTtl"] = "00:00:00.100",
        ["Webhooks:AllowedNetworks:0"] = "127.0.0.1/32",
    };

    [GeneratedRegex("""href="https://track\.example\.test/t/c/([0-9a-f]+)"|src="https://track\.example\.test/t/o/([0-9a-f]+)"|href="([^"]*)"|src="([^"]*)(?=")""")]
    private static partial Regex Links();

    [Fact]
    public async Task Campaign_LinksAreRewrittenInTheSentMime_DkimVerifies_ClicksRedirectToEachRecipientsUrl_OpensAreRecorded()
    {
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions());
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var owner = await app.SetUpOwnerAsync();
        var ws = await app.WorkspaceIdAsync("Acme");
        var (_, account, publicKey) = await app.CreateSenderAsync(server.Port, domain: "oracle.test", inWorkspace: ws);
        var list = await app.AddListAsync(ws, "News");
        await app.AddContactsAsync(ws, [("ann@rcpt.test", "Ann"), ("bob@rcpt.test", "Bob")], list.Id);
        var campaign = await app.CreateCampaignAsync(ws, account, [list.Id], html: """
            <html><body><p>Hi {{ first_name }}</p>
            <a href="https://shop.test/sale?who={{ email | url_encode }}&amp;x=1">Your sale</a>
            <a href="https://shop.test/about">About</a>
            <a href="mailto:help@shop.test">Mail us</a> <a href="#top">Top</a>
            <a data-sc-no-track href="https://shop.test/private">Private</a>
            </body></html>
            """);
        Assert.True((await app.ControlAsync(ws, c => c.SendNowAsync(campaign))).Succeeded);
        await app.WaitForCampaignAsync(campaign, c => c.Status == CampaignStatus.Sent);
        await server.WaitForMessagesAsync(2, TimeSpan.FromSeconds(30));

        var rows = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.CampaignId == campaign).ToListAsync());
        var clicks = new Dictionary<string, List<string>>();
        var opens = new Dictionary<string, string>();
        foreach (var received in server.Messages)
        {
            var recipient = received.Recipients.Single();
            var parsed = await MailOracle.ParseAsync(received.Data, DkimKeys.DnsRecordValue(publicKey));
            Assert.True(parsed.GetProperty("dkim_valid").GetBoolean(), "dkimpy did not verify the DKIM signature of the tracked message");
            var html = parsed.GetProperty("html").GetString()!;
            var found = Links().Matches(html);
            clicks[recipient] = found.Where(m => m.Groups[1].Success).Select(m => m.Groups[1].Value).ToList();
            opens[recipient] = found.Single(m => m.Groups[2].Success).Groups[2].Value;
            Assert.Equal(["mailto:help@shop.test", "#top", "https://shop.test/private"], found.Where(m => m.Groups[3].Success).Select(m => m.Groups[3].Value));
            Assert.DoesNotContain("https://shop.test/sale", html);
            Assert.DoesNotContain("https://shop.test/about", html);
            Assert.Contains("width=\"1\" height=\"1\"", html);
            Assert.Contains("Hi " + (recipient.StartsWith("ann") ? "Ann" : "Bob"), parsed.GetProperty("text").GetString() + html);
        }
        Assert.All(clicks.Values, c => Assert.Equal(2, c.Count));

        app.Clock.Advance(TimeSpan.FromMinutes(5)); // a person reads later than the timing rules' seconds
        using var http = Anonymous(app);
        var annSale = await GetAsync(http, $"/t/c/{clicks["ann@rcpt.test"][0]}");
        Assert.Equal(HttpStatusCode.Found, annSale.StatusCode);
        Assert.Equal("https://shop.test/sale?who=ann%40rcpt.test&x=1", annSale.Headers.Location!.OriginalString);
        var bobSale = await GetAsync(http, $"/t/c/{clicks["bob@rcpt.test"][0].ToUpperInvariant()}"); // tokens are case-insensitive
        Assert.Equal("https://shop.test/sale?who=bob%40rcpt.test&x=1", bobSale.Headers.Location!.OriginalString);
        app.Clock.Advance(TimeSpan.FromSeconds(5)); // a person's second click comes seconds later (within a second it is a scanner)
        Assert.Equal("https://shop.test/about", (await GetAsync(http, $"/t/c/{clicks["bob@rcpt.test"][1]}")).Headers.Location!.OriginalString);

        // Tampered: one hex digit of the link index changed (another link of the same message), or the message id.
        var token = clicks["ann@rcpt.test"][1];
        foreach (var bad in new[] { token[..19] + (token[19] == '0' ? '2' : '0') + token[20..], (token[0] == '0' ? "1" : "0") + token[1..], "nonsense", token + "00" })
        {
            var refused = await GetAsync(http, $"/t/c/{bad}");
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Null(refused.Headers.Location);
        }
        // A well-signed token for a link index the message does not have: 404 too.
        var tokens = app.Services.GetRequiredService<MessageTokens>();
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(http, $"/t/c/{tokens.Create(TokenPurpose.Click, rows[0].Id, 7)}")).StatusCode);

        var pixel = await GetAsync(http, $"/t/o/{opens["ann@rcpt.test"]}");
        Assert.Equal(HttpStatusCode.OK, pixel.StatusCode);
        Assert.Equal("image/gif", pixel.Content.Headers.ContentType!.MediaType);
        var gif = await pixel.Content.ReadAsByteArrayAsync();
        Assert.Equal(43, gif.Length);
        Assert.Equal("GIF89a"u8.ToArray(), gif[..6]);
        Assert.Contains("no-store", pixel.Headers.CacheControl!.ToString());
        await GetAsync(http, $"/t/o/{opens["ann@rcpt.test"]}"); // opened twice: one unique
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(http, $"/t/o/{clicks["ann@rcpt.test"][0]}")).StatusCode); // a click token is no open token

        var events = await WaitForEventsAsync(app, 5);
        var ann = rows.Single(r => r.Recipient == "ann@rcpt.test");
        Assert.All(events, e => Assert.Equal((campaign, false, Browser), (e.CampaignId!.Value, e.IsMachine, e.UserAgent!)));
        var annOpens = events.Where(e => e.MessageId == ann.Id && e.Type == MessageEventType.Open).OrderBy(e => e.Id).ToList();
        Assert.Equal([true, false], annOpens.Select(e => e.IsUnique));
        Assert.Equal([0], events.Where(e => e.MessageId == ann.Id && e.Type == MessageEventType.Click).Select(e => e.LinkIndex!.Value));
        Assert.Equal(2, events.Count(e => e.Type == MessageEventType.Click && e.MessageId != ann.Id && e.IsUnique == (e.LinkIndex == 0)));

        // The report: opens 2 total / 1 unique; clicks 3 / 2 unique (totals from the rollups: none before the rollup job
        // ran); per link 2 and 1 (a personalized link counts as one; read from the events, at once).
        var before = await owner.GetPageAsync($"/campaigns/{campaign}");
        Assert.Equal("0", before.Text("#report-tracking-totals tr[data-kind=clicks] td[data-total]"));
        Assert.Equal(["2", "1"], before.QuerySelectorAll("#report-links tr[data-link]").Select(r => r.Children[1].TextContent));
        await app.RollUpSettledAsync();
        var page = await owner.GetPageAsync($"/campaigns/{campaign}");
        Assert.Equal(("1", "2"), (page.Text("#report-tracking-totals tr[data-kind=opens] td[data-unique]"), page.Text("#report-tracking-totals tr[data-kind=opens] td[data-total]")));
        Assert.Equal(("2", "3"), (page.Text("#report-tracking-totals tr[data-kind=clicks] td[data-unique]"), page.Text("#report-tracking-totals tr[data-kind=clicks] td[data-total]")));
        Assert.Equal(["2", "1"], page.QuerySelectorAll("#report-links tr[data-link]").Select(r => r.Children[1].TextContent));
        var detail = await owner.GetPageAsync($"/messages/{ann.Id}");
        Assert.Equal(3, detail.QuerySelectorAll("#tracking-events li[data-type]").Length);
        Assert.Contains("https://shop.test/sale?who=ann%40rcpt.test&x=1", detail.Text("#tracking-events"));
    }

    [Fact]
    public async Task ApiMessage_SwitchesOffByDefault_OnWhenAsked_MachinesFlagged_WrittenInBatches_WebhooksRaised()
    {
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions());
        await using var receiver = WebhookReceiver.Start();
        var settings = new Dictionary<string, string?>(Fast) { ["Sending:WorkersEnabled"] = "true" };
        await using var world = await ApiWorld.CreateAsync(kind, settings, server.Port);
        var app = world.App;
        await AddEndpointAsync(app, world.WorkspaceId, receiver.Url(), WebhookEventTypes.MessageClicked, WebhookEventTypes.MessageOpened);
        using var api = world.Client(await world.CreateKeyAsync());
        const string html = "<p><a href=\"https://shop.test/one\">1</a> <a href=\"https://shop.test/two\">2</a> <a href=\"https://shop.test/three\">3</a></p>";

        async Task<long> SendAsync(string to, string extra)
        {
            var response = await api.PostAsync("/api/v1/messages", ApiWorld.Json($$"""
                {"from": {"address": "{{ApiWorld.From}}"}, "to": [{"address": "{{to}}"}], "subject": "Order", "html": {{JsonSerializer.Serialize(html)}}{{extra}}}
                """));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return (await ApiWorld.BodyAsync(response))["messages"]![0]!["id"]!.GetValue<long>();
        }
        var plain = await SendAsync("plain@rcpt.test", "");
        var tracked = await SendAsync("tracked@rcpt.test", """, "track_opens": true, "track_clicks": true""");
        await server.WaitForMessagesAsync(2, TimeSpan.FromSeconds(30));

        var untouched = await MailOracle.ParseAsync(server.Messages.Single(m => m.Recipients.Contains("plain@rcpt.test")).Data, null);
        Assert.Equal(html, untouched.GetProperty("html").GetString()!.TrimEnd());
        var mime = await MailOracle.ParseAsync(server.Messages.Single(m => m.Recipients.Contains("tracked@rcpt.test")).Data, null);
        var found = Links().Matches(mime.GetProperty("html").GetString()!);
        var clickTokens = found.Where(m => m.Groups[1].Success).Select(m => m.Groups[1].Value).ToList();
        var openToken = found.Single(m => m.Groups[2].Success).Groups[2].Value;
        Assert.Equal(3, clickTokens.Count);

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        using var http = Anonymous(app);
        var hits = app.Services.GetRequiredService<TrackingHits>();
        var batchesBefore = hits.Batches;
        // A link scanner: every link within a second, with a browser's agent. Then an image proxy, then a person.
        await Task.WhenAll(clickTokens.Select(t => GetAsync(http, $"/t/c/{t}")));
        await GetAsync(http, $"/t/o/{openToken}", "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)");
        // 200 human opens at once: the writer stores them in a few batches, not one by one.
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => GetAsync(http, $"/t/o/{openToken}")));

        var events = await WaitForEventsAsync(app, 204);
        Assert.All(events, e => Assert.Equal(tracked, e.MessageId));
        Assert.All(events.Where(e => e.Type == MessageEventType.Click), e => Assert.True(e.IsMachine, "a scanner's burst is a machine"));
        Assert.Equal(1, events.Count(e => e.Type == MessageEventType.Click && e.IsUnique));
        var opens = events.Where(e => e.Type == MessageEventType.Open).ToList();
        Assert.Equal(1, opens.Count(e => e.IsMachine));
        Assert.Equal(2, opens.Count(e => e.IsUnique)); // the first machine open and the first human one
        Assert.Null(events.FirstOrDefault(e => e.CampaignId is not null));
        Assert.InRange(hits.Batches - batchesBefore, 1, 30);
        Assert.Equal(0, hits.Dropped);

        // Webhooks: one delivery per event of the subscribed types, with the original URL for clicks.
        var deliveries = await receiver.WaitForAsync(204, timeout: TimeSpan.FromSeconds(60));
        var bodies = deliveries.Select(d => JsonDocument.Parse(d.Body).RootElement).ToList();
        Assert.Equal(3, bodies.Count(b => b.GetProperty("type").GetString() == WebhookEventTypes.MessageClicked));
        Assert.Equal(["https://shop.test/one", "https://shop.test/three", "https://shop.test/two"],
            bodies.Where(b => b.GetProperty("type").GetString() == WebhookEventTypes.MessageClicked).Select(b => b.GetProperty("data").GetProperty("url").GetString()).Order());
        Assert.All(bodies, b => Assert.Equal(tracked, b.GetProperty("data").GetProperty("id").GetInt64()));
        Assert.Empty(await app.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().Where(e => e.MessageId == plain).ToListAsync()));
    }

    private static HttpClient Anonymous(SendCraftApp app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost") });

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string agent = Browser)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("User-Agent", agent);
        return await http.SendAsync(request);
    }

    private static async Task<List<MessageEvent>> WaitForEventsAsync(SendCraftApp app, int count)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var events = await app.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().OrderBy(e => e.Id).ToListAsync());
            if (events.Count >= count || watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Equal(count, events.Count);
                return events;
            }
            await Task.Delay(100);
        }
    }

    private static async Task AddEndpointAsync(SendCraftApp app, long workspace, string url, params string[] types)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspace);
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        db.WebhookEndpoints.Add(new WebhookEndpoint
        {
            Url = url, EventTypes = WebhookEventTypes.Format(types), SecretProtected = scope.ServiceProvider.GetRequiredService<SecretProtector>().Protect("whsec_test"),
        });
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<WebhookSubscriptions>().Invalidate();
    }
}

public sealed class TrackingTests_Sqlite() : TrackingTests(DatabaseKind.Sqlite);
public sealed class TrackingTests_MariaDb() : TrackingTests(DatabaseKind.MariaDb);
