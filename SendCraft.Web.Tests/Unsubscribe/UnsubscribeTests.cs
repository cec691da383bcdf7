using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;
using SendCraft.Web.Tracking;

namespace SendCraft.Web.Tests.Unsubscribe;

/// <summary>
/// One-click unsubscribe (RFC 8058) and the preferences pages, through the real app: campaigns sent by the real workers
/// to a real SMTP server, the List-Unsubscribe headers checked under DKIM by dkimpy, the URLs called over HTTP.
/// </summary>
public abstract partial class UnsubscribeTests(DatabaseKind kind)
{
    private const string BaseUrl = "https://mail.example.test";

    private static readonly Dictionary<string, string?> Fast = new()
    {
        ["Sending:PollInterval"] = "00:00:00.200",
        ["Campaigns:MonitorInterval"] = "00:00:00.300",
        ["PublicBaseUrl"] = BaseUrl,
        // The delivery rows are what is checked; nobody listens at the endpoint's URL.
        ["Webhooks:WorkerEnabled"] = "false",
        ["Webhooks:SubscriptionCacheTtl"] = "00:00:00.100",
    };

    private const string Html = "<p>Hi {{ first_name }}</p><p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a> · <a href=\"{{ preferences_url }}\">Preferences</a></p>";

    [Fact]
    public async Task CampaignMessage_CarriesBothHeaders_SignedByDkim_AndItsOwnLinksInTheBody_ApiMailDoesNot()
    {
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions());
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var (ws, account, publicKey) = await app.CreateSenderAsync(server.Port, domain: "oracle.test", maxConnections: 1);
        var list = await app.AddListAsync(ws, "News");
        await app.AddContactsAsync(ws, [("ann@rcpt.test", "Ann Lee"), ("bob@rcpt.test", "Bob Ray")], list.Id);
        var campaign = await app.CreateCampaignAsync(ws, account, [list.Id], html: Html, text: "Unsubscribe: {{ unsubscribe_url }}");
        Assert.True((await app.ControlAsync(ws, c => c.SendNowAsync(campaign))).Succeeded);
        var done = await app.WaitForCampaignAsync(campaign, c => c.Status == CampaignStatus.Sent);
        Assert.Equal(0, done.MissingVariables); // the built-in variables are no contact's missing field
        await app.QueueAsync(ws, account, ["api@rcpt.test"], "Receipt", null, "Your receipt");
        await server.WaitForMessagesAsync(3, TimeSpan.FromSeconds(30));

        var rows = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.CampaignId == campaign).ToListAsync());
        foreach (var row in rows)
        {
            var received = server.Messages.Single(m => m.Recipients.Contains(row.Recipient));
            var mime = MimeMessage.Load(new MemoryStream(received.Data));
            var token = Token(app, row.Id);
            Assert.Equal($"<{BaseUrl}/u/{token}>, <mailto:unsubscribe+{token}@mail.example.test>", Unfold(mime.Headers[HeaderId.ListUnsubscribe] ?? ""));
            Assert.Equal("List-Unsubscribe=One-Click", mime.Headers[HeaderId.ListUnsubscribePost]);
            var signed = Regex.Match(mime.Headers[HeaderId.DkimSignature] ?? "", @"h=([^;]+);").Groups[1].Value.Split(':').Select(h => h.Trim()).ToList();
            Assert.Contains("list-unsubscribe", signed);
            Assert.Contains("list-unsubscribe-post", signed);
            Assert.True(await DkimValidAsync(received.Data, publicKey), $"dkimpy did not verify the message to {row.Recipient}");
            // The headers are really covered: another token in List-Unsubscribe breaks the signature.
            var other = Token(app, row.Id + 1000);
            var forged = System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.Latin1.GetString(received.Data).Replace("/u/" + token, "/u/" + other));
            Assert.False(await DkimValidAsync(forged, publicKey), "a changed List-Unsubscribe header still verified");
            Assert.Contains($"href=\"{BaseUrl}/u/{token}\"", mime.HtmlBody);
            Assert.Contains($"href=\"{BaseUrl}/p/{token}\"", mime.HtmlBody);
            Assert.Contains($"Unsubscribe: {BaseUrl}/u/{token}", mime.TextBody);
        }
        var api = MimeMessage.Load(new MemoryStream(server.Messages.Single(m => m.Recipients.Contains("api@rcpt.test")).Data));
        Assert.False(api.Headers.Contains(HeaderId.ListUnsubscribe));
        Assert.False(api.Headers.Contains(HeaderId.ListUnsubscribePost));
    }

    [Fact]
    public async Task OneClickPost_Unsubscribes_Once_GetDoesNot_TamperedIs404_AndTheNextCampaignSkipsThem()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        await app.SetUpOwnerAsync();
        var (ws, account, _) = await app.CreateSenderAsync(sink.Port);
        await AddWebhookEndpointAsync(app, ws);
        var list = await app.AddListAsync(ws, "News");
        await app.AddContactsAsync(ws, [("ann@rcpt.test", "Ann"), ("bob@rcpt.test", "Bob"), ("cy@rcpt.test", "Cy")], list.Id);
        var first = await app.CreateCampaignAsync(ws, account, [list.Id], html: Html, name: "First");
        Assert.True((await app.ControlAsync(ws, c => c.SendNowAsync(first))).Succeeded);
        await app.WaitForCampaignAsync(first, c => c.Status == CampaignStatus.Sent);
        Assert.Equal(3, sink.Recipients().Count);
        var annMessage = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().SingleAsync(m => m.CampaignId == first && m.Recipient == "ann@rcpt.test"));
        var token = Token(app, annMessage.Id);
        var anonymous = app.NewSession().Client;

        // A link scanner's GET: the confirmation page, nobody unsubscribed.
        var page = await anonymous.GetAsync($"/u/{token}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("id=\"confirm-unsubscribe\"", html);
        Assert.DoesNotContain("ann@rcpt.test", html); // the address is masked
        Assert.Equal(ContactStatus.Active, await StatusAsync(app, "ann@rcpt.test"));
        Assert.Equal(0, await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().CountAsync()));
        Assert.Equal(0, await app.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().CountAsync()));

        // Tampered tokens (a changed MAC, a token made for clicks, nonsense) unsubscribe nobody: 404.
        var flipped = token[..^1] + (token[^1] == '0' ? '1' : '0');
        var clickToken = app.Services.GetRequiredService<MessageTokens>().Create(TokenPurpose.Click, annMessage.Id);
        foreach (var bad in new[] { flipped, clickToken, "not-a-token", new string('0', token.Length) })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await OneClickAsync(anonymous, bad)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/u/{bad}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/p/{bad}")).StatusCode);
        }
        Assert.Equal(ContactStatus.Active, await StatusAsync(app, "ann@rcpt.test"));

        // RFC 8058 one-click: a POST from the mail provider, no cookie, no antiforgery token. Twice: the second changes nothing.
        for (var i = 0; i < 2; i++)
        {
            var response = await OneClickAsync(anonymous, token.ToUpperInvariant()); // hex is case-insensitive
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(ContactStatus.Unsubscribed, await StatusAsync(app, "ann@rcpt.test"));
        Assert.Equal(ContactStatus.Active, await StatusAsync(app, "bob@rcpt.test"));
        var suppression = await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(("ann@rcpt.test", SuppressionReason.Unsubscribed, ws), (suppression.Email, suppression.Reason, suppression.WorkspaceId));
        var unsubscribeEvent = await app.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().SingleAsync());
        Assert.Equal((MessageEventType.Unsubscribe, annMessage.Id, (long?)first, true), (unsubscribeEvent.Type, unsubscribeEvent.MessageId, unsubscribeEvent.CampaignId, unsubscribeEvent.IsUnique));
        Assert.Contains("one-click", unsubscribeEvent.Detail);
        var delivery = await app.QueryAsync(db => db.WebhookDeliveries.IgnoreQueryFilters().SingleAsync(d => d.EventType == "message.unsubscribed"));
        using (var body = JsonDocument.Parse(delivery.Payload))
        {
            Assert.Equal("message.unsubscribed", body.RootElement.GetProperty("type").GetString());
            Assert.Equal("ann@rcpt.test", body.RootElement.GetProperty("data").GetProperty("recipient").GetString());
            Assert.Equal(annMessage.Id, body.RootElement.GetProperty("data").GetProperty("id").GetInt64());
        }

        // The confirmation page now says so, without a button.
        var again = await (await anonymous.GetAsync($"/u/{token}")).Content.ReadAsStringAsync();
        Assert.Contains("You are unsubscribed", again);
        Assert.DoesNotContain("confirm-unsubscribe", again);

        // End to end: a later campaign to the same list never mails her; the others get it.
        var second = await app.CreateCampaignAsync(ws, account, [list.Id], html: Html, name: "Second");
        Assert.True((await app.ControlAsync(ws, c => c.SendNowAsync(second))).Succeeded);
        var secondDone = await app.WaitForCampaignAsync(second, c => c.Status == CampaignStatus.Sent);
        Assert.Equal(1, secondDone.SkippedUnsubscribed);
        await WaitUntilAsync(() => sink.Recipients().Count >= 5);
        await Task.Delay(500);
        var recipients = sink.Recipients();
        Assert.Equal(5, recipients.Count);
        Assert.Single(recipients, r => r == "ann@rcpt.test");
        Assert.Equal(2, recipients.Count(r => r == "bob@rcpt.test"));

        // Her receipts still go: an unsubscribe stops campaign mail, not transactional mail.
        var receipt = await app.QueueAsync(ws, account, ["ann@rcpt.test"], "Your receipt", null, "Paid");
        var sent = await app.WaitForMessagesAsync(all => all.Single(m => m.Id == receipt[0].Id).Status is not (MessageStatus.Queued or MessageStatus.Sending));
        Assert.Equal(MessageStatus.Sent, sent.Single(m => m.Id == receipt[0].Id).Status);
        Assert.Equal(1, await app.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task ConfirmationThenPreferences_Unsubscribes_Resubscribes_LeavesChosenLists_KeepingCounts()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        await app.SetUpOwnerAsync();
        var (ws, account, _) = await app.CreateSenderAsync(sink.Port);
        var news = await app.AddListAsync(ws, "Product news");
        var events = await app.AddListAsync(ws, "Events");
        var offers = await app.AddListAsync(ws, "Offers");
        var other = await app.AddListAsync(ws, "Not hers");
        var dee = await app.AddContactAsync(ws, "dee@rcpt.test", "Dee");
        var eve = await app.AddContactAsync(ws, "eve@rcpt.test", "Eve");
        await app.AddToListAsync(ws, news.Id, dee.Id, eve.Id);
        await app.AddToListAsync(ws, events.Id, dee.Id, eve.Id);
        await app.AddToListAsync(ws, offers.Id, dee.Id);
        await app.AddToListAsync(ws, other.Id, eve.Id);
        var campaign = await app.CreateCampaignAsync(ws, account, [news.Id], html: Html);
        Assert.True((await app.ControlAsync(ws, c => c.SendNowAsync(campaign))).Succeeded);
        await app.WaitForCampaignAsync(campaign, c => c.Status == CampaignStatus.Sent);
        var message = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().SingleAsync(m => m.CampaignId == campaign && m.ContactId == dee.Id));
        var token = Token(app, message.Id);
        var recipient = app.NewSession();

        // Confirm on the page: the button posts (with the page's antiforgery token) and leads to the preferences.
        var confirmed = await recipient.SubmitFormAsync($"/u/{token}", new(), "#confirm-form");
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal($"/p/{token}", confirmed.Headers.Location!.OriginalString);
        Assert.Equal(ContactStatus.Unsubscribed, await StatusAsync(app, "dee@rcpt.test"));
        Assert.True(await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().AnyAsync(s => s.Email == "dee@rcpt.test" && s.Reason == SuppressionReason.Unsubscribed)));
        Assert.Contains("page", (await app.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().SingleAsync())).Detail);
        var preferences = await recipient.GetPageAsync($"/p/{token}");
        Assert.Contains("You are unsubscribed", preferences.Text("#preferences-flash"));
        Assert.NotNull(preferences.QuerySelector("#resubscribe"));
        Assert.Null(preferences.QuerySelector("nav")); // no application chrome on recipients' pages

        // Without the antiforgery token our own forms refuse the post.
        var forged = await recipient.Client.PostAsync($"/p/{token}?handler=Resubscribe", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(ContactStatus.Unsubscribed, await StatusAsync(app, "dee@rcpt.test"));

        // A mistake: subscribe again. The unsubscribe's suppression goes; another reason's would stay.
        var resubscribed = await recipient.SubmitFormAsync(preferences, $"/p/{token}", new(), "#resubscribe-form");
        Assert.Equal(HttpStatusCode.Redirect, resubscribed.StatusCode);
        Assert.Equal(ContactStatus.Active, await StatusAsync(app, "dee@rcpt.test"));
        Assert.False(await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().AnyAsync(s => s.Email == "dee@rcpt.test")));

        // Her lists, by name only (not the list she is not in); she keeps "Product news" and leaves the other two.
        preferences = await recipient.GetPageAsync($"/p/{token}");
        var shown = preferences.QuerySelectorAll("#lists-form label").Select(l => l.TextContent.Trim()).ToList();
        Assert.Equal(new[] { "Events", "Offers", "Product news" }, shown);
        var saved = await recipient.SubmitFormAsync(preferences, $"/p/{token}", new() { ["Keep"] = news.Id.ToString() }, "#lists-form");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var lists = await app.QueryAsync(db => db.ListMembers.IgnoreQueryFilters().Where(m => m.ContactId == dee.Id).Select(m => m.ListId).ToListAsync());
        Assert.Equal(new[] { news.Id }, lists);
        var counts = await app.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().Where(l => l.WorkspaceId == ws)
            .Select(l => new { l.Id, l.MemberCount, Actual = db.ListMembers.IgnoreQueryFilters().Count(m => m.ListId == l.Id) }).ToListAsync());
        Assert.All(counts, c => Assert.Equal(c.Actual, c.MemberCount));
        Assert.Equal(0, counts.Single(c => c.Id == offers.Id).MemberCount);
        Assert.Equal(1, counts.Single(c => c.Id == events.Id).MemberCount);
        Assert.Contains("You left 2 lists.", (await recipient.GetPageAsync($"/p/{token}")).Text("#preferences-flash"));
        Assert.Equal(ContactStatus.Active, await StatusAsync(app, "dee@rcpt.test"));

        // "Unsubscribe from everything" on the preferences page.
        preferences = await recipient.GetPageAsync($"/p/{token}");
        await recipient.SubmitFormAsync(preferences, $"/p/{token}", new(), "#unsubscribe-form");
        Assert.Equal(ContactStatus.Unsubscribed, await StatusAsync(app, "dee@rcpt.test"));
        Assert.Equal(ContactStatus.Active, await StatusAsync(app, "eve@rcpt.test"));
    }

    [Fact]
    public async Task Resubscribe_LiftsOnlyTheUnsubscribeSuppression_NotABounce()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var (ws, account, _) = await app.CreateSenderAsync(sink.Port);
        var list = await app.AddListAsync(ws, "News");
        await app.AddContactsAsync(ws, [("fay@rcpt.test", "Fay")], list.Id);
        var campaign = await app.CreateCampaignAsync(ws, account, [list.Id]);
        Assert.True((await app.ControlAsync(ws, c => c.SendNowAsync(campaign))).Succeeded);
        await app.WaitForCampaignAsync(campaign, c => c.Status == CampaignStatus.Sent);
        var id = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.CampaignId == campaign).Select(m => m.Id).SingleAsync());

        // The mailto path (what the inbound listener calls) and then a bounce recorded in its place.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var service = scope.ServiceProvider.GetRequiredService<SendCraft.Web.Unsubscribe.UnsubscribeService>();
            Assert.Equal(SendCraft.Web.Unsubscribe.UnsubscribeResult.Unsubscribed, await service.UnsubscribeAsync(Token(app, id), SendCraft.Web.Unsubscribe.UnsubscribeSource.Mailto));
            Assert.Equal(SendCraft.Web.Unsubscribe.UnsubscribeResult.AlreadyUnsubscribed, await service.UnsubscribeAsync(Token(app, id), SendCraft.Web.Unsubscribe.UnsubscribeSource.Mailto));
            var token = Token(app, id);
            Assert.Null(await service.UnsubscribeAsync(token[..^1] + (token[^1] == '0' ? '1' : '0'), SendCraft.Web.Unsubscribe.UnsubscribeSource.Mailto));
        }
        Assert.Contains("mailto", await app.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().Select(e => e.Detail).SingleAsync()));
        await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().Where(s => s.Email == "fay@rcpt.test")
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Reason, SuppressionReason.HardBounce)));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var service = scope.ServiceProvider.GetRequiredService<SendCraft.Web.Unsubscribe.UnsubscribeService>();
            Assert.False(await service.ResubscribeAsync((await service.FindAsync(Token(app, id)))!)); // still stopped by the bounce
        }
        Assert.Equal(ContactStatus.Active, await StatusAsync(app, "fay@rcpt.test"));
        Assert.True(await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().AnyAsync(s => s.Email == "fay@rcpt.test" && s.Reason == SuppressionReason.HardBounce)));
    }

    private static string Token(SendCraftApp app, long messageId) =>
        app.Services.GetRequiredService<MessageTokens>().Create(TokenPurpose.Unsubscribe, messageId);

    private static Task<HttpResponseMessage> OneClickAsync(HttpClient client, string token) =>
        client.PostAsync($"/u/{token}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));

    private static Task<ContactStatus> StatusAsync(SendCraftApp app, string email) =>
        app.QueryAsync(db => db.Contacts.IgnoreQueryFilters().Where(c => c.Email == email).Select(c => c.Status).SingleAsync());

    private static Task<long> AddWebhookEndpointAsync(SendCraftApp app, long ws) => app.QueryAsync(async db =>
    {
        var endpoint = new WebhookEndpoint
        {
            WorkspaceId = ws, Url = "https://hooks.example.com/in", EventTypes = "message.unsubscribed",
            SecretProtected = app.Services.GetRequiredService<SecretProtector>().Protect(SendCraft.Web.Webhooks.WebhookSignature.NewSecret()),
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync();
        return endpoint.Id;
    });

    private static string Unfold(string value) => Regex.Replace(value, @"\r?\n[ \t]+", " ").Trim();

    private static async Task WaitUntilAsync(Func<bool> condition, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold in time.");
            await Task.Delay(50);
        }
    }

    /// <summary>dkimpy's verdict (Debian's python3-dkim, the library behind dkimverify), through the oracle script the MIME tests use.</summary>
    private static async Task<bool> DkimValidAsync(byte[] raw, string publicKey)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, raw);
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sending", "mail_oracle.py"));
            start.ArgumentList.Add(file);
            start.ArgumentList.Add(DkimKeys.DnsRecordValue(publicKey));
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, "mail_oracle.py failed: " + await stderr);
            using var json = JsonDocument.Parse(await stdout);
            return json.RootElement.GetProperty("dkim_valid").GetBoolean();
        }
        finally
        {
            File.Delete(file);
        }
    }
}

public sealed class UnsubscribeTests_Sqlite() : UnsubscribeTests(DatabaseKind.Sqlite);
public sealed class UnsubscribeTests_MariaDb() : UnsubscribeTests(DatabaseKind.MariaDb);
