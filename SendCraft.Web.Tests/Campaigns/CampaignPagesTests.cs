using System.Net;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Analytics;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Campaigns;

/// <summary>
/// The campaign pages over HTTP, as a browser without JavaScript (and htmx where the page uses it) would drive them,
/// against the real engine: Quartz, expansion and the outbox workers sending into Postfix's smtp-sink.
/// </summary>
public abstract class CampaignPagesTests(DatabaseKind kind)
{
    private static readonly Dictionary<string, string?> Fast = new()
    {
        ["Sending:PollInterval"] = "00:00:00.200",
        ["Campaigns:MonitorInterval"] = "00:00:00.300",
    };

    private sealed record World(SendCraftApp App, WebSession Owner, long Ws, long Account, long News, long Vip);

    /// <summary>The owner of Acme with a sender on the sink, a "News" list of 6 contacts (one unsubscribed, one suppressed) and a "VIP" list of one of them.</summary>
    private static async Task<World> WorldAsync(SendCraftApp app, SmtpSink sink)
    {
        var owner = await app.SetUpOwnerAsync();
        var ws = await app.WorkspaceIdAsync("Acme");
        var (_, account, _) = await app.CreateSenderAsync(sink.Port, inWorkspace: ws);
        var news = await app.AddListAsync(ws, "News");
        var vip = await app.AddListAsync(ws, "VIP");
        var ids = new List<long>();
        for (var i = 0; i < 4; i++)
            ids.Add((await app.AddContactAsync(ws, $"c{i}@rcpt{i % 2}.test", $"Name{i} Last", new() { ["city"] = $"City{i}" })).Id);
        ids.Add((await app.AddContactAsync(ws, "gone@rcpt0.test", "Gone", status: ContactStatus.Unsubscribed)).Id);
        ids.Add((await app.AddContactAsync(ws, "blocked@rcpt0.test", "Blocked")).Id);
        await app.QueryAsync(async db => { db.Suppressions.Add(new Suppression { WorkspaceId = ws, Email = "blocked@rcpt0.test" }); return await db.SaveChangesAsync(); });
        await app.AddToListAsync(ws, news.Id, [.. ids]);
        await app.AddToListAsync(ws, vip.Id, ids[3]);
        return new World(app, owner, ws, account, news.Id, vip.Id);
    }

    private static Dictionary<string, string> Form(World w, string name = "December news", string subject = "Hi {{ first_name }}",
        string html = "<p>Hello {{ first_name }} from {{ city }}</p>", string text = "") => new()
    {
        ["Input.Name"] = name, ["Input.Subject"] = subject, ["Input.HtmlBody"] = html, ["Input.TextBody"] = text,
        ["Input.SmtpAccountId"] = w.Account.ToString(), ["Input.Include"] = w.News.ToString(), ["Input.Exclude"] = w.Vip.ToString(),
        ["Input.RatePerMinute"] = "",
    };

    private static Task<List<Campaign>> CampaignsAsync(SendCraftApp app) =>
        app.QueryAsync(db => db.Campaigns.IgnoreQueryFilters().Include(c => c.Lists).AsNoTracking().OrderBy(c => c.Id).ToListAsync());

    [Fact]
    public async Task CreateThroughTheForm_TemplateErrorsRefusedWithLineAndColumn_AudienceCounted_StartFromTemplate()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var w = await WorldAsync(app, sink);
        var template = await app.AddTemplateAsync(w.Ws, "Monthly", subject: "Monthly for {{ first_name }}", html: "<h1>Monthly {{ first_name }}</h1>", text: "Monthly text");

        var empty = await w.Owner.GetPageAsync("/campaigns");
        Assert.Contains("No campaigns yet", empty.QuerySelector(".empty-state")!.TextContent);
        Assert.NotNull(empty.QuerySelector(".empty-state a[href='/campaigns/edit']"));
        Assert.NotNull(empty.QuerySelector("nav.sidebar a.nav-link.active[href='/campaigns']"));

        // A broken tag on line 2: refused next to the HTML field with line and column, everything typed kept, nothing saved.
        var typed = "<p>Hello</p>\n<p>{% if vip %}Gold</p>";
        var refused = await w.Owner.SubmitFormAsync("/campaigns/edit", Form(w, html: typed, subject: "Hi {{ first_name"), "#campaign-form");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await WebSession.ParseAsync(await refused.Content.ReadAsStringAsync());
        Assert.Matches(@"HTML body, line 2, column \d+", page.QuerySelector("[data-valmsg-for='Input.HtmlBody']")!.TextContent);
        Assert.Matches(@"Subject, line 1, column \d+", page.QuerySelector("[data-valmsg-for='Input.Subject']")!.TextContent);
        Assert.Equal(typed, page.QuerySelector("#Input_HtmlBody")!.TextContent.Replace("\r\n", "\n").TrimStart('\n'));
        Assert.Equal("December news", page.QuerySelector("#Input_Name")!.GetAttribute("value"));
        Assert.NotNull(page.QuerySelector($"#include-{w.News}[checked]"));
        Assert.NotNull(page.QuerySelector($"#exclude-{w.Vip}[checked]"));
        Assert.Equal(w.Account.ToString(), page.QuerySelector("#Input_SmtpAccountId option[selected]")!.GetAttribute("value"));
        Assert.Empty(await CampaignsAsync(app));

        // No account, no list: each refused on its own field.
        var bare = await w.Owner.SubmitFormAsync("/campaigns/edit", new() { ["Input.Name"] = "Bare", ["Input.Subject"] = "S", ["Input.HtmlBody"] = "<p>x</p>" }, "#campaign-form");
        var barePage = await WebSession.ParseAsync(await bare.Content.ReadAsStringAsync());
        Assert.Contains("Choose the SMTP account", barePage.QuerySelector("[data-valmsg-for='Input.SmtpAccountId']")!.TextContent);
        Assert.Contains("at least one list", barePage.QuerySelector("[data-valmsg-for='Input.Include']")!.TextContent);

        // The live count: 6 in News, less the VIP one; 1 unsubscribed and 1 suppressed skipped → 3 recipients.
        var count = await WebSession.ParseAsync(await (await w.Owner.GetAsync($"/campaigns/edit?handler=Audience&Input.Include={w.News}&Input.Exclude={w.Vip}")).Content.ReadAsStringAsync());
        Assert.Equal("3", count.Text("#audience-recipients"));
        Assert.Equal("1", count.Text("#audience-unsubscribed"));
        Assert.Equal("1", count.Text("#audience-suppressed"));
        var all = await WebSession.ParseAsync(await (await w.Owner.GetAsync($"/campaigns/edit?handler=Audience&Input.Include={w.News}")).Content.ReadAsStringAsync());
        Assert.Equal("4", all.Text("#audience-recipients"));

        // Start from template: the form comes back with the template's content (nothing saved yet).
        var fromTemplate = await w.Owner.Client.PostAsync("/campaigns/edit?handler=Template",
            await FormOf(w.Owner, "/campaigns/edit", new() { ["templateId"] = template.Id.ToString(), ["Input.Name"] = "" }));
        Assert.Equal(HttpStatusCode.OK, fromTemplate.StatusCode);
        var filled = await WebSession.ParseAsync(await fromTemplate.Content.ReadAsStringAsync());
        Assert.Equal("Monthly for {{ first_name }}", filled.QuerySelector("#Input_Subject")!.GetAttribute("value"));
        Assert.Equal("<h1>Monthly {{ first_name }}</h1>", filled.QuerySelector("#Input_HtmlBody")!.TextContent.Trim());
        Assert.Equal("Monthly", filled.QuerySelector("#Input_Name")!.GetAttribute("value"));
        Assert.Equal(template.Id.ToString(), filled.QuerySelector("#Input_TemplateId")!.GetAttribute("value"));
        Assert.Empty(await CampaignsAsync(app));

        // Saved: a draft with its lists, then listed.
        var saved = await w.Owner.SubmitFormAsync("/campaigns/edit", Form(w), "#campaign-form");
        var campaign = Assert.Single(await CampaignsAsync(app));
        Assert.Equal($"/campaigns/{campaign.Id}", saved.Headers.Location?.OriginalString);
        Assert.Equal((CampaignStatus.Draft, "December news", "Hi {{ first_name }}", w.Account, w.Ws), (campaign.Status, campaign.Name, campaign.Subject, campaign.SmtpAccountId, campaign.WorkspaceId));
        Assert.Equal([(w.News, false), (w.Vip, true)], campaign.Lists.OrderBy(l => l.Excluded).Select(l => (l.ListId, l.Excluded)));
        var details = await w.Owner.FollowAsync(saved);
        Assert.Contains("saved", details.Text(".alert-success"));
        // The preview renders as the first contact of the audience, in a sandboxed iframe.
        Assert.Equal("Hi Name0", details.Text("#preview-subject"));
        Assert.Equal("", details.QuerySelector("#campaign-preview iframe")!.GetAttribute("sandbox"));
        Assert.Contains("Hello Name0 from City0", details.QuerySelector("#campaign-preview iframe")!.GetAttribute("srcdoc"));
        var preview = await WebSession.ParseAsync(await (await w.Owner.GetAsync($"/campaigns/{campaign.Id}?handler=Preview&email=c2@rcpt0.test")).Content.ReadAsStringAsync());
        Assert.Equal("Hi Name2", preview.Text("#preview-subject"));
        var outsider = await WebSession.ParseAsync(await (await w.Owner.GetAsync($"/campaigns/{campaign.Id}?handler=Preview&email=c3@rcpt1.test")).Content.ReadAsStringAsync());
        Assert.Contains("not a contact of this campaign's audience", outsider.Text("#preview-errors")); // c3 is in the excluded VIP list
        var options = await (await w.Owner.GetAsync($"/campaigns/{campaign.Id}?handler=Contacts&email=c")).Content.ReadAsStringAsync();
        Assert.Contains("c0@rcpt0.test", options);
        Assert.DoesNotContain("c3@rcpt1.test", options);

        var list = await w.Owner.GetPageAsync("/campaigns?q=decem");
        Assert.Contains("December news", list.Text($"#campaign-{campaign.Id}"));
        Assert.Equal("Draft", list.QuerySelector($"#campaign-{campaign.Id} .campaign-status")!.TextContent.Trim());
        Assert.Null((await w.Owner.GetPageAsync("/campaigns?q=nothing-like-it")).QuerySelector($"#campaign-{campaign.Id}"));
        Assert.Null((await w.Owner.GetPageAsync("/campaigns?status=Sent")).QuerySelector($"#campaign-{campaign.Id}"));

        // Delete the draft (htmx): gone.
        var deleted = await w.Owner.HtmxPostAsync(list, $"/campaigns?handler=Delete&id={campaign.Id}");
        Assert.Contains("deleted", deleted.ToastMessage());
        Assert.Empty(await CampaignsAsync(app));
    }

    [Fact]
    public async Task Schedule_PastRefused_FutureStoredAsUtcAndShownInBothZones_Unschedule_AndRefusalsShown()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var w = await WorldAsync(app, sink);
        var id = await app.CreateCampaignAsync(w.Ws, w.Account, [w.News]);
        var url = $"/campaigns/{id}";
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        string Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, paris).ToString("yyyy-MM-ddTHH:mm");

        var past = await w.Owner.SubmitFormAsync(url, new() { ["ScheduleAt"] = Local(DateTime.UtcNow.AddHours(-2)), ["ScheduleTimeZone"] = "Europe/Paris" }, "#schedule-form");
        var pastPage = await WebSession.ParseAsync(await past.Content.ReadAsStringAsync());
        Assert.Contains("That time has passed", pastPage.Text("#action-problems"));
        Assert.Equal(Local(DateTime.UtcNow.AddHours(-2))[..13], pastPage.QuerySelector("#schedule-at")!.GetAttribute("value")![..13]); // kept as typed
        Assert.Equal(CampaignStatus.Draft, (await app.CampaignAsync(id)).Status);

        var noZone = await w.Owner.SubmitFormAsync(url, new() { ["ScheduleAt"] = Local(DateTime.UtcNow.AddDays(1)), ["ScheduleTimeZone"] = "Mars/Olympus" }, "#schedule-form");
        Assert.Contains("time zone", (await WebSession.ParseAsync(await noZone.Content.ReadAsStringAsync())).Text("#action-problems"));

        var when = DateTime.UtcNow.AddDays(2);
        when = new DateTime(when.Year, when.Month, when.Day, when.Hour, when.Minute, 0, DateTimeKind.Utc);
        var scheduled = await w.Owner.SubmitFormAsync(url, new() { ["ScheduleAt"] = Local(when), ["ScheduleTimeZone"] = "Europe/Paris" }, "#schedule-form");
        var page = await w.Owner.FollowAsync(scheduled);
        var campaign = await app.CampaignAsync(id);
        Assert.Equal((CampaignStatus.Scheduled, when, "Europe/Paris"), (campaign.Status, campaign.ScheduledAt!.Value, campaign.TimeZoneId));
        var shown = page.Text("#scheduled-at");
        Assert.Contains($"{TimeZoneInfo.ConvertTimeFromUtc(when, paris):yyyy-MM-dd HH:mm} Europe/Paris", shown);
        Assert.Contains($"{when:yyyy-MM-dd HH:mm} UTC", shown);
        Assert.Equal("Europe/Paris", page.QuerySelector("#schedule-zone option[selected]")!.GetAttribute("value"));
        var listed = await w.Owner.GetPageAsync("/campaigns");
        Assert.Contains("Europe/Paris", listed.Text($"#campaign-{id} .scheduled-local"));
        Assert.Contains($"{when:yyyy-MM-dd HH:mm} UTC", listed.Text($"#campaign-{id} .scheduled-utc"));

        // Reschedule in another zone, then unschedule: a draft again.
        var later = when.AddHours(3);
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        await w.Owner.SubmitFormAsync(url, new() { ["ScheduleAt"] = TimeZoneInfo.ConvertTimeFromUtc(later, tokyo).ToString("yyyy-MM-ddTHH:mm"), ["ScheduleTimeZone"] = "Asia/Tokyo" }, "#schedule-form");
        Assert.Equal((later, "Asia/Tokyo"), ((await app.CampaignAsync(id)).ScheduledAt!.Value, (await app.CampaignAsync(id)).TimeZoneId));
        var unscheduled = await w.Owner.SubmitFormAsync(url, [], $"form[action='{url}?handler=Unschedule']");
        Assert.Contains("unscheduled", (await w.Owner.FollowAsync(unscheduled)).Text(".alert-success"));
        Assert.Equal(CampaignStatus.Draft, (await app.CampaignAsync(id)).Status);

        // The engine's refusals, as they are: an empty audience; an inactive account.
        var empty = await app.AddListAsync(w.Ws, "Empty");
        var nobody = await app.CreateCampaignAsync(w.Ws, w.Account, [empty.Id], name: "Nobody");
        var refused = await w.Owner.SubmitFormAsync($"/campaigns/{nobody}", [], $"form[action='/campaigns/{nobody}?handler=SendNow']");
        Assert.Contains("audience is empty", (await WebSession.ParseAsync(await refused.Content.ReadAsStringAsync())).Text("#action-problems"));
        await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().Where(a => a.Id == w.Account).ExecuteUpdateAsync(s => s.SetProperty(a => a.IsActive, false)));
        var inactive = await w.Owner.SubmitFormAsync(url, [], $"form[action='{url}?handler=SendNow']");
        Assert.Contains("is inactive", (await WebSession.ParseAsync(await inactive.Content.ReadAsStringAsync())).Text("#action-problems"));
        Assert.Equal(CampaignStatus.Draft, (await app.CampaignAsync(id)).Status);
    }

    [Fact]
    public async Task SendNow_SendsToTheSink_ProgressAndReportShowIt_CsvExportListsEveryRecipient()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var w = await WorldAsync(app, sink);
        var id = await app.CreateCampaignAsync(w.Ws, w.Account, [w.News], [w.Vip]);
        var url = $"/campaigns/{id}";

        var sent = await w.Owner.SubmitFormAsync(url, [], $"form[action='{url}?handler=SendNow']");
        Assert.Contains("starting", (await w.Owner.FollowAsync(sent)).Text(".alert-success"));
        await app.WaitForCampaignAsync(id, c => c.Status == CampaignStatus.Sent);
        Assert.Equal(["c0@rcpt0.test", "c1@rcpt1.test", "c2@rcpt0.test"], sink.Recipients().Order());

        var progress = await WebSession.ParseAsync(await (await w.Owner.GetAsync($"{url}?handler=Progress")).Content.ReadAsStringAsync());
        var panel = progress.QuerySelector($"#campaign-progress-{id}")!;
        Assert.Equal("Sent", panel.GetAttribute("data-status"));
        Assert.Null(panel.GetAttribute("hx-trigger")); // finished: the panel stops polling
        Assert.Equal(("3", "3", "1", "1", "100 %"), (progress.Text("#count-expanded"), progress.Text("#count-sent"), progress.Text("#skipped-unsubscribed"), progress.Text("#skipped-suppressed"), progress.Text("#campaign-percent")));

        var page = await w.Owner.GetPageAsync(url);
        Assert.Equal("3", page.Text("#report-sent"));
        Assert.Equal("0", page.Text("#report-tracking-totals tr[data-kind=opens] td[data-total]")); // nobody opened yet
        // The chart over time and the recipient domains read the rollups: empty until the rollup job has counted the
        // attempts, then 3 delivered on 2 domains.
        Assert.Equal(0, Delivered(page));
        Assert.Empty(page.QuerySelectorAll("#report-domains tr[data-domain]"));
        await app.RollUpSettledAsync();
        var counted = await w.Owner.GetPageAsync(url);
        Assert.Equal(3, Delivered(counted));
        Assert.Equal(["rcpt0.test", "rcpt1.test"], counted.QuerySelectorAll("#report-domains tr[data-domain]").Select(r => r.GetAttribute("data-domain")));
        Assert.Equal(["2", "1"], counted.QuerySelectorAll("#report-domains tr[data-domain] td:nth-child(2)").Select(c => c.TextContent));
        Assert.Equal(3, page.QuerySelectorAll("#campaign-recipients .recipient-row").Length);
        Assert.Null(page.QuerySelector("#send-panel")); // no longer a draft
        var filtered = await WebSession.ParseAsync(await (await w.Owner.GetAsync($"{url}?handler=Recipients&email=c1")).Content.ReadAsStringAsync());
        Assert.Equal(["c1@rcpt1.test"], filtered.QuerySelectorAll(".recipient-row a").Select(a => a.TextContent));

        var csv = await w.Owner.GetAsync($"{url}?handler=Export");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", csv.Content.Headers.ContentDisposition?.ToString() ?? string.Join(",", csv.Headers.GetValues("Content-Disposition")));
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("email,status,sent_at_utc,attempts,last_smtp_code,last_smtp_response", lines[0]);
        Assert.Equal(["c0@rcpt0.test", "c1@rcpt1.test", "c2@rcpt0.test"], lines.Skip(1).Select(l => l.Split(',')[0]).Order());
        Assert.All(lines.Skip(1), l => Assert.Equal("Sent", l.Split(',')[1]));
        var onlyFailed = await (await w.Owner.GetAsync($"{url}?handler=Export&status=Failed")).Content.ReadAsStringAsync();
        Assert.Single(onlyFailed.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var listed = await w.Owner.GetPageAsync("/campaigns");
        Assert.Equal("3 / 3", listed.Text($"#campaign-{id} .campaign-progress-text"));
    }

    /// <summary>The "Delivered" series of the report's chart, summed over its buckets.</summary>
    private static long Delivered(AngleSharp.Dom.IDocument page)
    {
        using var chart = System.Text.Json.JsonDocument.Parse(page.QuerySelector("#campaign-chart-data")!.TextContent);
        Assert.True(chart.RootElement.GetProperty("hourly").GetBoolean()); // a campaign of today: by hour
        return chart.RootElement.GetProperty("series").EnumerateArray().Single(x => x.GetProperty("label").GetString() == "Delivered")
            .GetProperty("data").EnumerateArray().Sum(v => v.GetInt64());
    }

    [Fact]
    public async Task PauseResumeCancel_ThroughThePanel_WithToasts()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var w = await WorldAsync(app, sink);
        var big = await app.AddListAsync(w.Ws, "Big");
        await app.AddContactsAsync(w.Ws, Enumerable.Range(0, 40).Select(i => ($"p{i}@rcpt.test", $"P{i}")), big.Id);
        // 120 a minute: one message every half second, so there is time to pause in the middle.
        var id = await app.CreateCampaignAsync(w.Ws, w.Account, [big.Id], ratePerMinute: 120);
        var url = $"/campaigns/{id}";
        await w.Owner.SubmitFormAsync(url, [], $"form[action='{url}?handler=SendNow']");
        await WaitUntil(() => sink.Recipients().Count >= 2);

        var page = await w.Owner.GetPageAsync(url);
        Assert.Equal("campaign-progress, every 5s", page.QuerySelector($"#campaign-progress-{id}")!.GetAttribute("hx-trigger")); // refreshed by the SignalR push, polled as a fallback
        Assert.NotNull(page.QuerySelector($"#campaign-progress-{id}")!.GetAttribute("data-campaign-progress-refresh"));
        var paused = await w.Owner.HtmxPostAsync(page, $"{url}?handler=Pause");
        Assert.Contains("paused", paused.ToastMessage());
        var panel = await WebSession.ParseAsync(await paused.Content.ReadAsStringAsync());
        Assert.Equal("Paused", panel.QuerySelector($"#campaign-progress-{id}")!.GetAttribute("data-status"));
        Assert.NotNull(panel.QuerySelector("#resume-campaign"));
        Assert.Equal(CampaignStatus.Paused, (await app.CampaignAsync(id)).Status);
        var again = await w.Owner.HtmxPostAsync(page, $"{url}?handler=Pause");
        Assert.Contains("Only a campaign that is sending can be paused", again.ToastMessage());

        var resumed = await w.Owner.HtmxPostAsync(page, $"{url}?handler=Resume");
        Assert.Contains("resumed", resumed.ToastMessage());
        Assert.Equal(CampaignStatus.Sending, (await app.CampaignAsync(id)).Status);

        var cancelled = await w.Owner.HtmxPostAsync(page, $"{url}?handler=Cancel");
        Assert.Contains("cancelled", cancelled.ToastMessage());
        var final = await WebSession.ParseAsync(await cancelled.Content.ReadAsStringAsync());
        Assert.Null(final.QuerySelector($"#campaign-progress-{id}")!.GetAttribute("hx-trigger"));
        Assert.Equal(CampaignStatus.Cancelled, (await app.CampaignAsync(id)).Status);
        await Task.Delay(1500);
        var rows = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.CampaignId == id).ToListAsync());
        Assert.Contains(rows, r => r.Status == MessageStatus.Cancelled);
        Assert.True(sink.Recipients().Count < 40);
    }

    [Fact]
    public async Task TestSend_RenderedAsTheChosenContact_MarkedAsTest_NotCountedInTheCampaign()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var w = await WorldAsync(app, sink);
        var id = await app.CreateCampaignAsync(w.Ws, w.Account, [w.News], [w.Vip]);
        var url = $"/campaigns/{id}";

        var tooMany = await w.Owner.SubmitFormAsync(url, new() { ["TestAddresses"] = string.Join(", ", Enumerable.Range(0, 11).Select(i => $"t{i}@qa.test")) }, "#test-form");
        Assert.Contains("at most 10", (await WebSession.ParseAsync(await tooMany.Content.ReadAsStringAsync())).Text("#action-problems"));
        var bad = await w.Owner.SubmitFormAsync(url, new() { ["TestAddresses"] = "qa@" }, "#test-form");
        Assert.Contains("not a complete email address", (await WebSession.ParseAsync(await bad.Content.ReadAsStringAsync())).Text("#action-problems"));

        var page = await w.Owner.GetPageAsync(url);
        var queued = await w.Owner.HtmxPostAsync(page, $"{url}?handler=Test", new() { ["TestAddresses"] = "qa@qa.test, boss@qa.test", ["PreviewEmail"] = "c2@rcpt0.test" });
        Assert.Contains("Test queued to qa@qa.test, boss@qa.test", queued.ToastMessage());
        await WaitUntil(() => sink.Recipients().Count >= 2);
        Assert.Equal(["boss@qa.test", "qa@qa.test"], sink.Recipients().Order());
        Assert.True(sink.Dump().Contains("Subject: [Test] Hello Name2"), sink.Dump());
        Assert.Contains("City2", sink.Dump());

        var rows = await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.CampaignId == id).ToListAsync());
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.True(r.IsTest));
        var totals = await app.QueryAsync(async db => await global::SendCraft.Web.Campaigns.CampaignTotals.ForAsync(db, await db.Campaigns.IgnoreQueryFilters().SingleAsync(c => c.Id == id), default));
        Assert.Equal(0, totals.Sent + totals.Queued + totals.Sending);
        Assert.Equal(CampaignStatus.Draft, (await app.CampaignAsync(id)).Status);

        var log = await w.Owner.GetPageAsync("/messages");
        Assert.Equal(2, log.QuerySelectorAll(".test-badge").Length);
        var detail = await w.Owner.GetPageAsync($"/messages/{rows[0].Id}");
        Assert.NotNull(detail.QuerySelector("#message-status .test-badge"));
        Assert.NotNull(detail.QuerySelector($"a[href='/campaigns/{id}']"));
    }

    private static async Task<FormUrlEncodedContent> FormOf(WebSession session, string url, Dictionary<string, string> fields)
    {
        var page = await session.GetPageAsync(url);
        var token = page.QuerySelector("#campaign-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        return new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token });
    }

    private static async Task WaitUntil(Func<bool> condition, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Condition not met in time.");
            await Task.Delay(100);
        }
    }
}

public sealed class CampaignPagesTests_Sqlite() : CampaignPagesTests(DatabaseKind.Sqlite);
public sealed class CampaignPagesTests_MariaDb() : CampaignPagesTests(DatabaseKind.MariaDb);
