using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Sending;

/// <summary>Compose, the message log and the detail page, through the real pages.</summary>
public abstract class MessagePagesTests(DatabaseKind kind)
{
    private static readonly Dictionary<string, string?> Fast = new() { ["Sending:PollInterval"] = "00:00:00.200" };
    private static readonly Dictionary<string, string?> NoWorkers = new() { ["Sending:WorkersEnabled"] = "false" };

    [Fact]
    public async Task Compose_WithAttachment_QueuesOneRowPerRecipient_AndLandsOnTheLogEntryThatBecomesSent()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await SendCraftApp.StartAsync(kind, Fast);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var (workspace, account, _) = await app.CreateSenderAsync(sink.Port, inWorkspace: await app.WorkspaceIdAsync("Acme"));

        var page = await owner.GetPageAsync("/messages/compose");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(account.ToString()), "Input.AccountId" },
            { new StringContent("Ann <ann@rcpt.test>, bob@rcpt.test"), "Input.To" },
            { new StringContent("carl@rcpt.test"), "Input.Bcc" },
            { new StringContent("Quarterly report — Übersicht"), "Input.Subject" },
            { new StringContent("<h1>Report</h1><p>See attached.</p>"), "Input.HtmlBody" },
            { new StringContent("Report. See attached."), "Input.TextBody" },
        };
        var file = new ByteArrayContent("col1,col2\n1,2\n"u8.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "attachments", "report.csv");
        var response = await owner.Client.PostAsync("/messages/compose", form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.Matches(@"^/messages/\d+$", location);
        var rows = await app.WaitForMessagesAsync(all => all.Count == 3 && all.All(m => m.Status == MessageStatus.Sent));
        Assert.Equal(["ann@rcpt.test", "bob@rcpt.test", "carl@rcpt.test"], rows.Select(r => r.Recipient).Order());
        Assert.Equal(3, sink.Recipients().Count);

        var detail = await owner.GetPageAsync(location);
        Assert.Equal("sent", detail.QuerySelector("#message-status .status-badge")!.TextContent);
        Assert.Contains("report.csv", detail.Body!.TextContent);
        Assert.Contains("Sent", detail.QuerySelector("#attempts")!.TextContent);
        Assert.Equal("", detail.QuerySelector("#html-body")!.GetAttribute("sandbox"));
        Assert.Contains("DKIM-Signature", detail.QuerySelector("#sent-headers")!.TextContent);

        var log = await owner.GetPageAsync("/messages");
        Assert.Equal(3, log.QuerySelectorAll("#message-table tbody tr").Length);
        var filtered = await owner.GetPageAsync("/messages?recipient=bo");
        Assert.Equal("bob@rcpt.test", filtered.QuerySelector("#message-table tbody tr a")!.TextContent);
        Assert.NotNull((await owner.GetPageAsync("/messages?status=Failed")).QuerySelector("#messages-empty"));

        // The dashboard counts them once the rollup job has run (it reads the rollups, not the outbox): 3 sent, 100 % delivered.
        Assert.NotNull((await owner.GetPageAsync("/")).QuerySelector("#dashboard-empty"));
        await SendCraft.Web.Tests.Analytics.AnalyticsBuilders.RollUpSettledAsync(app);
        var dashboard = await owner.GetPageAsync("/");
        Assert.Equal("3", dashboard.QuerySelector("#metric-sent .metric-value")!.TextContent);
        Assert.Contains("100.0 %", dashboard.QuerySelector("#metric-delivered .metric-rate")!.TextContent);
        Assert.Null(dashboard.QuerySelector("#dashboard-empty"));
    }

    [Fact]
    public async Task Compose_WithLineBreakInSubjectOrBadAddress_IsRefusedWithNothingQueued()
    {
        await using var app = await SendCraftApp.StartAsync(kind, NoWorkers);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var (_, account, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort(), inWorkspace: await app.WorkspaceIdAsync("Acme"));

        var injected = await owner.SubmitFormAsync("/messages/compose", new()
        {
            ["Input.AccountId"] = account.ToString(), ["Input.To"] = "ann@rcpt.test",
            ["Input.Subject"] = "Hello\r\nBcc: victim@elsewhere.test", ["Input.TextBody"] = "hi",
        });
        var page = await WebSession.ParseAsync(await injected.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, injected.StatusCode);
        Assert.Contains("one line", page.QuerySelector("[data-valmsg-for='Input.Subject']")!.TextContent);

        var badAddress = await owner.SubmitFormAsync("/messages/compose", new()
        {
            ["Input.AccountId"] = account.ToString(), ["Input.To"] = "ann@rcpt.test, not-an-address",
            ["Input.Subject"] = "Hello", ["Input.TextBody"] = "hi",
        });
        page = await WebSession.ParseAsync(await badAddress.Content.ReadAsStringAsync());
        Assert.Contains("not-an-address", page.QuerySelector("[data-valmsg-for='Input.To']")!.TextContent);
        Assert.Equal("ann@rcpt.test, not-an-address", page.QuerySelector("#Input_To")!.GetAttribute("value"));
        Assert.Equal(0, await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task Compose_SubmittedTwice_OrTwiceAtOnce_QueuesOnce()
    {
        await using var app = await SendCraftApp.StartAsync(kind, NoWorkers);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var (_, account, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort(), inWorkspace: await app.WorkspaceIdAsync("Acme"));
        var fields = new Dictionary<string, string>
        {
            ["Input.AccountId"] = account.ToString(), ["Input.To"] = "ann@rcpt.test, bob@rcpt.test", ["Input.Subject"] = "Once", ["Input.TextBody"] = "hi",
        };

        // The same rendered form posted again (a double click, a browser retry after a lost answer): one queueing.
        var page = await owner.GetPageAsync("/messages/compose");
        var first = await owner.SubmitFormAsync(page, "/messages/compose", fields);
        var again = await owner.SubmitFormAsync(page, "/messages/compose", fields);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(2, await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().CountAsync()));

        // Another form posted four times at once: still one queueing.
        page = await owner.GetPageAsync("/messages/compose");
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => owner.SubmitFormAsync(page, "/messages/compose", fields)));
        Assert.All(concurrent, r => Assert.Equal(HttpStatusCode.Redirect, r.StatusCode));
        Assert.Single(concurrent.Select(r => r.Headers.Location).Distinct());
        Assert.Equal(4, await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().CountAsync()));
        Assert.Equal(2, await app.QueryAsync(db => db.MessageContents.IgnoreQueryFilters().CountAsync()));

        // A freshly opened form is a new message.
        await owner.SubmitFormAsync("/messages/compose", fields);
        Assert.Equal(6, await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task QueuedMessage_CanBeCancelledFromItsPage_AndAnotherWorkspaceGets404()
    {
        await using var app = await SendCraftApp.StartAsync(kind, NoWorkers);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var (workspace, account, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort(), inWorkspace: await app.WorkspaceIdAsync("Acme"));
        var message = (await app.QueueAsync(workspace, account, ["ann@rcpt.test"])).Single();

        var page = await owner.GetPageAsync($"/messages/{message.Id}");
        var cancel = await owner.SubmitFormAsync(page, $"/messages/{message.Id}", [], "form[action*='handler=Cancel']");
        Assert.Equal(HttpStatusCode.Redirect, cancel.StatusCode);
        Assert.Equal("cancelled", (await owner.GetPageAsync($"/messages/{message.Id}")).QuerySelector("#message-status .status-badge")!.TextContent);
        Assert.NotNull((await owner.GetPageAsync($"/messages/{message.Id}")).QuerySelector("#retry-message"));

        // Someone working in another workspace cannot see or act on it.
        var (otherWorkspace, otherAccount, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort(), domain: "other.test", workspaceName: "Other");
        var foreign = (await app.QueueAsync(otherWorkspace, otherAccount, ["zed@rcpt.test"])).Single();
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/messages/{foreign.Id}")).StatusCode);
        var forged = await owner.PostWithTokenAsync($"/messages/{foreign.Id}?handler=Cancel", []);
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.Equal(MessageStatus.Queued, await app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Where(m => m.Id == foreign.Id).Select(m => m.Status).SingleAsync()));
    }

    [Fact]
    public async Task MessageLog_PagesByKeyset_OlderAndBackNewer()
    {
        await using var app = await SendCraftApp.StartAsync(kind, NoWorkers);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var (workspace, account, _) = await app.CreateSenderAsync(RepoPaths.FreeLoopbackPort(), inWorkspace: await app.WorkspaceIdAsync("Acme"));
        await app.QueueBulkAsync(workspace, account, 120);

        static List<string> Recipients(AngleSharp.Dom.IDocument page) =>
            page.QuerySelectorAll("#message-table tbody tr a").Select(a => a.TextContent).ToList();
        var first = await owner.GetPageAsync("/messages");
        Assert.Equal(50, Recipients(first).Count);
        Assert.Equal("user119@rcpt.test", Recipients(first)[0]); // newest first
        Assert.Null(first.QuerySelector("#newer"));

        var second = await owner.GetPageAsync(first.QuerySelector("#older")!.GetAttribute("href")!);
        Assert.Equal("user69@rcpt.test", Recipients(second)[0]);
        var third = await owner.GetPageAsync(second.QuerySelector("#older")!.GetAttribute("href")!);
        Assert.Equal(20, Recipients(third).Count);
        Assert.Null(third.QuerySelector("#older"));

        var back = await owner.GetPageAsync(third.QuerySelector("#newer")!.GetAttribute("href")!);
        Assert.Equal(Recipients(second), Recipients(back));
    }
}

public sealed class MessagePagesTests_Sqlite() : MessagePagesTests(DatabaseKind.Sqlite);
public sealed class MessagePagesTests_MariaDb() : MessagePagesTests(DatabaseKind.MariaDb);
