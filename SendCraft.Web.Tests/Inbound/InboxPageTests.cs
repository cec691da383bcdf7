using System.Net;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Inbound;
using SendCraft.Web.Tests.Infrastructure;
using static SendCraft.Web.Tests.Inbound.InboundMailTests;

namespace SendCraft.Web.Tests.Inbound;

/// <summary>The inbox pages over real received mail: list, search, unread, detail (sandboxed body), mark unread, delete; roles.</summary>
public abstract class InboxPageTests(DatabaseKind kind)
{
    [Fact]
    public async Task Inbox_ListsReplies_SearchesAndFiltersUnread_DetailShowsTheSandboxedBody_MarkUnreadAndDelete()
    {
        await using var w = await StartAsync(kind, withOwner: true);
        var owner = w.App.NewSession();
        var signIn = await owner.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "owner@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var (sent, returnPath) = await SendOneAsync(w, "ivy@rcpt.test");
        var replyAddress = w.Service<InboundAddresses>().ReplyAddressFor(w.WorkspaceId)!;
        await SendWithMailKitAsync(w.Port, replyAddress, Reply("Ivy Stone", "ivy@rcpt.test", "Re: Hello", sent.MessageId,
            "<p>Lovely, <script>alert(1)</script>thanks</p>"), sender: "ivy@rcpt.test");
        await SendWithMailKitAsync(w.Port, replyAddress, Reply("Jack", "jack@rcpt.test", "Question about pricing", null, null), sender: "jack@rcpt.test");
        await SendRawAsync(w.Port, "", returnPath, Dsn("ivy@rcpt.test", "4.2.2", "failed", null, sent.MessageId, returnPath));

        var inbox = await owner.GetPageAsync("/inbox");
        Assert.Contains(replyAddress, inbox.QuerySelector("#reply-address")!.TextContent);
        Assert.Equal("2", inbox.QuerySelector("#unread-count")!.TextContent.Trim());
        var rows = inbox.QuerySelectorAll("#inbox-table tbody tr");
        Assert.Equal(2, rows.Length); // replies only; the soft bounce is under "Bounces and complaints"
        Assert.Contains("Question about pricing", rows[0].TextContent);
        Assert.All(rows, r => Assert.Contains("inbox-unread", r.ClassName));

        var search = await owner.GetPageAsync("/inbox?q=PRICING");
        Assert.Single(search.QuerySelectorAll("#inbox-table tbody tr"));
        var bySender = await owner.GetPageAsync("/inbox?q=ivy%40rcpt");
        Assert.Contains("Re: Hello", Assert.Single(bySender.QuerySelectorAll("#inbox-table tbody tr")).TextContent);
        var reports = await owner.GetPageAsync("/inbox?show=reports");
        Assert.Contains("Soft bounce", Assert.Single(reports.QuerySelectorAll("#inbox-table tbody tr")).TextContent);

        var ivyId = await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().Where(m => m.Subject == "Re: Hello").Select(m => m.Id).SingleAsync());
        var detail = await owner.GetPageAsync($"/inbox/{ivyId}");
        var frame = detail.QuerySelector("iframe#inbox-html")!;
        Assert.Equal("", frame.GetAttribute("sandbox")); // no scripts, no same origin
        Assert.Contains("<script>", frame.GetAttribute("srcdoc")); // shown only inside the sandbox
        Assert.Equal($"/messages/{sent.Id}", detail.QuerySelector("#answered-message")!.GetAttribute("href"));
        Assert.Contains("agenda.pdf", detail.QuerySelector("#inbox-attachments")!.TextContent);
        Assert.Contains("1.2 KB", detail.QuerySelector("#inbox-attachments")!.TextContent);
        Assert.Contains("In-Reply-To", detail.QuerySelector("#inbox-headers")!.TextContent);
        Assert.Null(detail.QuerySelector("script:not([src])"));

        var unread = await owner.GetPageAsync("/inbox?unread=true");
        Assert.Contains("Question about pricing", Assert.Single(unread.QuerySelectorAll("#inbox-table tbody tr")).TextContent); // opening read it

        var markUnread = await owner.SubmitFormAsync(detail, $"/inbox/{ivyId}", new() { ["read"] = "false" }, "form:has(#mark-unread)");
        Assert.Equal(HttpStatusCode.Redirect, markUnread.StatusCode);
        Assert.False(await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().Where(m => m.Id == ivyId).Select(m => m.IsRead).SingleAsync()));

        detail = await owner.GetPageAsync($"/inbox/{ivyId}");
        var delete = await owner.SubmitFormAsync(detail, $"/inbox/{ivyId}", new(), "form:has(#delete-message)");
        Assert.Equal("/inbox", delete.Headers.Location?.OriginalString);
        Assert.False(await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().AnyAsync(m => m.Id == ivyId)));
        Assert.Equal(0, await w.App.QueryAsync(db => db.InboundAttachments.IgnoreQueryFilters().CountAsync(a => a.InboundMessageId == ivyId)));

        // Another workspace's member cannot open it.
        var jackId = await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().Where(m => m.FromAddress == "jack@rcpt.test").Select(m => m.Id).SingleAsync());
        await owner.CreateWorkspaceAsync("Elsewhere");
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/inbox/{jackId}")).StatusCode);
    }

    internal static MimeMessage Reply(string name, string address, string subject, string? inReplyTo, string? html)
    {
        var reply = new MimeMessage();
        reply.From.Add(new MailboxAddress(name, address));
        reply.To.Add(MailboxAddress.Parse("someone@" + BounceDomain));
        reply.Subject = subject;
        if (inReplyTo is not null) reply.InReplyTo = inReplyTo;
        var body = new BodyBuilder { TextBody = "Thanks!", HtmlBody = html };
        if (html is not null) body.Attachments.Add("agenda.pdf", new byte[1234], new ContentType("application", "pdf"));
        reply.Body = body.ToMessageBody();
        return reply;
    }
}

public sealed class InboxPageTests_Sqlite() : InboxPageTests(DatabaseKind.Sqlite);
public sealed class InboxPageTests_MariaDb() : InboxPageTests(DatabaseKind.MariaDb);
