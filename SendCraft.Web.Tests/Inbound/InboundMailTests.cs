using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Inbound;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;
using SendCraft.Web.Tracking;
using SendCraft.Web.Webhooks;

namespace SendCraft.Web.Tests.Inbound;

/// <summary>
/// The inbound listener on 127.0.0.1 with real SMTP clients (MailKit, swaks, a raw conversation): mail is sent by the
/// engine to an in-test SMTP server that records the envelope (the VERP MAIL FROM), then real RFC 3464 DSNs, RFC 5965
/// ARF reports, replies and malformed mail built here come back to the listener.
/// </summary>
public abstract class InboundMailTests(DatabaseKind kind)
{
    internal const string BounceDomain = "bounces.sender.test";

    internal sealed record World(SendCraftApp App, FaultySmtpServer Remote, int Port, long WorkspaceId, long AccountId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Remote.DisposeAsync();
        }

        public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();
    }

    internal static async Task<World> StartAsync(DatabaseKind kind, bool withOwner = false, int maxBytes = 1024 * 1024)
    {
        var remote = FaultySmtpServer.Start();
        var port = RepoPaths.FreeLoopbackPort();
        var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Inbound:Enabled"] = "true", ["Inbound:Address"] = "127.0.0.1", ["Inbound:Port"] = port.ToString(),
            ["Inbound:BounceDomain"] = BounceDomain, ["Inbound:SoftBounceLimit"] = "3", ["Inbound:MaxMessageBytes"] = maxBytes.ToString(),
            ["Sending:PollInterval"] = "00:00:00.200",
        });
        long? workspace = null;
        if (withOwner)
        {
            await app.SetUpOwnerAsync();
            workspace = await app.WorkspaceIdAsync("Acme");
        }
        var (ws, account, _) = await app.CreateSenderAsync(remote.Port, inWorkspace: workspace);
        await RawSmtp.WaitForListenerAsync(port, "inbound");
        return new World(app, remote, port, ws, account);
    }

    [Fact]
    public async Task HardBounce_ToTheVerpAddress_FromTheNullSenderWithSwaks_BouncesSuppressesMarksTheContactAndCallsTheWebhook()
    {
        await using var w = await StartAsync(kind);
        await w.App.AddContactAsync(w.WorkspaceId, "ann@rcpt.test", "Ann");
        await AddWebhookAsync(w, WebhookEventTypes.MessageBounced);
        var (sent, returnPath) = await SendOneAsync(w, "ann@rcpt.test");

        Assert.Matches($"^bounces\\+[0-9a-f]{{36}}@{Regex(BounceDomain)}$", returnPath);
        var token = returnPath["bounces+".Length..returnPath.IndexOf('@')];
        Assert.True(w.Service<MessageTokens>().TryRead(TokenPurpose.ReturnPath, token, out var id, out _));
        Assert.Equal(sent.Id, id);

        var dsn = Dsn("ann@rcpt.test", "5.1.1", "failed", "smtp; 550 5.1.1 <ann@rcpt.test>: Recipient address rejected: User unknown", sent.MessageId, returnPath);
        var (ok, output) = await SwaksAsync(w.Port, "<>", returnPath, dsn); // the null sender, as bounces come
        Assert.True(ok, output);
        Assert.Contains("250 2.0.0 Ok: stored: hard bounce", output);

        var message = await w.App.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().SingleAsync(m => m.Id == sent.Id));
        Assert.Equal(MessageStatus.Bounced, message.Status);
        var suppression = await w.App.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(("ann@rcpt.test", SuppressionReason.HardBounce), (suppression.Email, suppression.Reason));
        Assert.Contains("5.1.1", suppression.Detail);
        var contact = await w.App.QueryAsync(db => db.Contacts.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(ContactStatus.Bounced, contact.Status);
        var e = await w.App.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().SingleAsync());
        Assert.Equal((MessageEventType.Bounce, sent.Id, true), (e.Type, e.MessageId, e.IsUnique));
        var hook = await w.App.QueryAsync(db => db.WebhookDeliveries.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(WebhookEventTypes.MessageBounced, hook.EventType);
        Assert.Contains("\"status\":\"bounced\"", hook.Payload);
        Assert.Contains("5.1.1", hook.Payload);
        var stored = await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().SingleAsync());
        Assert.Equal((InboundKind.Bounce, sent.Id, "5.1.1", "ann@rcpt.test"), (stored.Kind, stored.OutboundMessageId, stored.ReportStatus, stored.ReportedRecipient));
        Assert.Equal("", stored.MailFrom);
        Assert.NotNull(stored.Raw);
        Assert.Contains("matched by the VERP address", stored.Reason);

        // The address is suppressed: the next message to it is never transmitted.
        var next = await w.App.QueueAsync(w.WorkspaceId, w.AccountId, ["ann@rcpt.test"]);
        Assert.Equal(MessageStatus.Suppressed, next[0].Status);
    }

    [Fact]
    public async Task SoftBounces_SuppressAfterTheConfiguredStreak_AndADeliveryInBetweenStartsItAgain()
    {
        await using var w = await StartAsync(kind);
        var messages = new List<(OutboundMessage Message, string ReturnPath)>();
        for (var i = 0; i < 4; i++) messages.Add(await SendOneAsync(w, "bob@rcpt.test"));

        // 1 soft, 2 delivered (no bounce), 3 and 4 soft: two in a row so far, not three.
        await SendWithMailKitAsync(w.Port, messages[0].ReturnPath, Dsn("bob@rcpt.test", "4.2.2", "failed", "smtp; 452 4.2.2 Mailbox full", messages[0].Message.MessageId, messages[0].ReturnPath));
        await SendWithMailKitAsync(w.Port, messages[2].ReturnPath, Dsn("bob@rcpt.test", "4.2.2", "failed", "smtp; 452 4.2.2 Mailbox full", messages[2].Message.MessageId, messages[2].ReturnPath));
        var answer = await SendWithMailKitAsync(w.Port, messages[3].ReturnPath, Dsn("bob@rcpt.test", "4.4.7", "delayed", "smtp; 451 4.4.7 try later", messages[3].Message.MessageId, messages[3].ReturnPath));
        Assert.Contains("soft bounce", answer);
        Assert.Equal(3, await w.App.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().CountAsync(e => e.Type == MessageEventType.SoftBounce)));
        Assert.Equal(0, await w.App.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().CountAsync()));
        Assert.All(await w.App.MessagesAsync(), m => Assert.Equal(MessageStatus.Sent, m.Status)); // soft bounces do not fail a message

        // A fifth message soft-bounces: 3, 4 and 5 in a row, so the address is suppressed.
        var fifth = await SendOneAsync(w, "bob@rcpt.test");
        await SendWithMailKitAsync(w.Port, fifth.ReturnPath, Dsn("bob@rcpt.test", "4.2.2", "failed", "smtp; 452 4.2.2 Mailbox full", fifth.Message.MessageId, fifth.ReturnPath));
        var suppression = await w.App.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(("bob@rcpt.test", SuppressionReason.HardBounce), (suppression.Email, suppression.Reason));
        Assert.Contains("3 soft bounces in a row", suppression.Detail);
        var stored = await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().OrderBy(m => m.Id).ToListAsync());
        Assert.All(stored, m => Assert.Equal(InboundKind.SoftBounce, m.Kind));
        Assert.Contains("it is suppressed", stored[^1].Reason);
    }

    [Fact]
    public async Task DsnWithoutVerp_ToTheSharedBounceAddress_IsMatchedByTheAttachedOriginalsMessageId()
    {
        await using var w = await StartAsync(kind);
        var (sent, _) = await SendOneAsync(w, "carl@rcpt.test");
        // The report names the original only by its headers (the envelope was rewritten by a forwarder).
        var dsn = Dsn("carl@rcpt.test", "5.2.1", "failed", "smtp; 550 5.2.1 Mailbox disabled", sent.MessageId, returnPath: null);
        var answer = await SendWithMailKitAsync(w.Port, $"bounces@{BounceDomain}", dsn, sender: "mailer-daemon@mx.rcpt.test");
        Assert.Contains("hard bounce", answer);
        var stored = await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().SingleAsync());
        Assert.Equal((InboundKind.Bounce, sent.Id), (stored.Kind, stored.OutboundMessageId));
        Assert.Contains("the original's Message-ID", stored.Reason);
        Assert.Equal(MessageStatus.Bounced, (await w.App.MessagesAsync()).Single().Status);
        Assert.Equal("carl@rcpt.test", (await w.App.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().SingleAsync())).Email);

        // A DSN about a message nobody sent is kept, outside any workspace, with what was tried.
        var stray = Dsn("who@rcpt.test", "5.1.1", "failed", "smtp; 550 unknown", "not-ours@elsewhere.test", returnPath: null);
        Assert.Contains("stored: unmatched", await SendWithMailKitAsync(w.Port, $"postmaster@{BounceDomain}", stray, sender: "mailer-daemon@mx.rcpt.test"));
        var unrouted = await w.App.QueryAsync(db => db.UnroutedInboundMessages.SingleAsync());
        Assert.Contains("not-ours@elsewhere.test", unrouted.Reason);
        Assert.Equal($"postmaster@{BounceDomain}", unrouted.RcptTo);
    }

    [Fact]
    public async Task ArfComplaint_SuppressesMarksTheContactComplainedAndCallsTheWebhook()
    {
        await using var w = await StartAsync(kind);
        await w.App.AddContactAsync(w.WorkspaceId, "dora@rcpt.test", "Dora");
        await AddWebhookAsync(w, WebhookEventTypes.MessageComplained);
        var (sent, returnPath) = await SendOneAsync(w, "dora@rcpt.test");
        var arf = Arf("dora@rcpt.test", sent.MessageId, returnPath);
        var answer = await SendWithMailKitAsync(w.Port, $"fbl@{BounceDomain}", arf, sender: "feedback@fbl.rcpt.test");
        Assert.Contains("stored: complaint", answer);

        var e = await w.App.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().SingleAsync());
        Assert.Equal((MessageEventType.Complaint, sent.Id), (e.Type, e.MessageId));
        var suppression = await w.App.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(("dora@rcpt.test", SuppressionReason.Complaint), (suppression.Email, suppression.Reason));
        Assert.Equal(ContactStatus.Complained, (await w.App.QueryAsync(db => db.Contacts.IgnoreQueryFilters().SingleAsync())).Status);
        var hook = await w.App.QueryAsync(db => db.WebhookDeliveries.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(WebhookEventTypes.MessageComplained, hook.EventType);
        var stored = await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().SingleAsync());
        Assert.Equal((InboundKind.Complaint, "abuse"), (stored.Kind, stored.ReportStatus));
        Assert.Contains("Original-Mail-From", stored.Reason);
        Assert.Equal(MessageStatus.Sent, (await w.App.MessagesAsync()).Single().Status); // delivered; the person complained
    }

    [Fact]
    public async Task MalformedMail_IsStoredWithTheReason_NeverDropped_AndTheListenerGoesOn()
    {
        await using var w = await StartAsync(kind);
        var (sent, returnPath) = await SendOneAsync(w, "eve@rcpt.test");

        // No header at all, binary junk: stored in the message's workspace (the VERP token names it), not parsed.
        var junk = "\u0001\u0002 this is not a message \u00ff\r\n\r\n" + new string('#', 300) + "\r\n";
        Assert.StartsWith("250", await SendRawAsync(w.Port, "", returnPath, junk));
        // A delivery-status report whose Status is not a status code, and one without its status part.
        var badStatus = Dsn("eve@rcpt.test", "five-one-one", "failed", null, sent.MessageId, returnPath);
        Assert.StartsWith("250", await SendRawAsync(w.Port, "", returnPath, badStatus));
        var noStatusPart = """
            From: MAILER-DAEMON@mx.rcpt.test
            Subject: Undelivered Mail Returned to Sender
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

            --b1
            Content-Type: text/plain

            The message could not be delivered.
            --b1--
            """.ReplaceLineEndings("\r\n");
        Assert.StartsWith("250", await SendRawAsync(w.Port, "", returnPath, noStatusPart));
        // Junk to a shared address: no workspace to keep it in, so it goes to the unrouted table.
        Assert.StartsWith("250", await SendRawAsync(w.Port, "", $"bounces@{BounceDomain}", junk));

        var stored = await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().OrderBy(m => m.Id).ToListAsync());
        Assert.Equal(3, stored.Count);
        Assert.All(stored, m => Assert.Equal((InboundKind.Unparsed, w.WorkspaceId), (m.Kind, m.WorkspaceId)));
        Assert.Contains("Not a readable email message", stored[0].Reason);
        Assert.NotNull(stored[0].Raw);
        Assert.Contains("not a status code", stored[1].Reason);
        Assert.Contains("without a message/delivery-status part", stored[2].Reason);
        Assert.Equal(1, await w.App.QueryAsync(db => db.UnroutedInboundMessages.CountAsync()));
        Assert.Equal(0, await w.App.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().CountAsync()));
        Assert.Equal(MessageStatus.Sent, (await w.App.MessagesAsync()).Single().Status);

        // The listener still works.
        var ok = Dsn("eve@rcpt.test", "5.1.1", "failed", null, sent.MessageId, returnPath);
        Assert.Contains("hard bounce", await SendWithMailKitAsync(w.Port, returnPath, ok));
    }

    [Fact]
    public async Task UnknownRecipients_Get550_511_BeforeData_AndOversizedMail552()
    {
        await using var w = await StartAsync(kind, maxBytes: 4096);
        var (_, returnPath) = await SendOneAsync(w, "finn@rcpt.test");
        var reply = w.Service<InboundAddresses>().ReplyAddressFor(w.WorkspaceId)!;
        await using var smtp = await RawSmtp.ConnectAsync(w.Port);
        Assert.StartsWith("220", await smtp.ReadAsync());
        var ehlo = await smtp.SendAsync("EHLO mx.rcpt.test");
        Assert.DoesNotContain("AUTH", ehlo);
        Assert.StartsWith("250", await smtp.SendAsync("MAIL FROM:<>"));
        Assert.StartsWith("550 5.1.1", await smtp.SendAsync($"RCPT TO:<someone@{BounceDomain}>"));
        Assert.StartsWith("550 5.1.1", await smtp.SendAsync("RCPT TO:<ann@rcpt.test>")); // never a relay
        Assert.StartsWith("550 5.1.1", await smtp.SendAsync($"RCPT TO:<bounces+{new string('a', 36)}@{BounceDomain}>")); // forged token
        var tampered = returnPath.Replace("bounces+", "replies+");
        Assert.StartsWith("550 5.1.1", await smtp.SendAsync($"RCPT TO:<{tampered}>")); // a token is good for its purpose only
        Assert.StartsWith("250", await smtp.SendAsync($"RCPT TO:<{returnPath.ToUpperInvariant()}>")); // case-insensitive
        Assert.StartsWith("250", await smtp.SendAsync($"RCPT TO:<{reply}>"));
        Assert.StartsWith("250", await smtp.SendAsync("RSET"));
        Assert.StartsWith("552", await smtp.SendAsync("MAIL FROM:<> SIZE=999999"));
        Assert.Equal(0, await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task Reply_ToTheWorkspaceReplyAddress_IsThreadedToTheMessageItAnswers_WithAnEventAndANotification()
    {
        await using var w = await StartAsync(kind, withOwner: true);
        var (sent, _) = await SendOneAsync(w, "gus@rcpt.test");
        var replyAddress = w.Service<InboundAddresses>().ReplyAddressFor(w.WorkspaceId)!;
        Assert.Matches($"^replies\\+[0-9a-f]{{36}}@{Regex(BounceDomain)}$", replyAddress);

        var reply = new MimeMessage();
        reply.From.Add(new MailboxAddress("Gus Grey", "gus@rcpt.test"));
        reply.To.Add(MailboxAddress.Parse(replyAddress));
        reply.Subject = "Re: Hello";
        reply.InReplyTo = sent.MessageId;
        reply.References.Add("older@rcpt.test");
        reply.References.Add(sent.MessageId);
        var body = new BodyBuilder { TextBody = "Thanks, see you Tuesday.", HtmlBody = "<p>Thanks, see you <b>Tuesday</b>.</p>" };
        body.Attachments.Add("agenda.pdf", new byte[1234], new ContentType("application", "pdf"));
        reply.Body = body.ToMessageBody();
        Assert.Contains("stored: reply", await SendWithMailKitAsync(w.Port, replyAddress, reply, sender: "gus@rcpt.test"));

        var stored = await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().Include(m => m.Attachments).SingleAsync());
        Assert.Equal((InboundKind.Reply, w.WorkspaceId, sent.Id, false), (stored.Kind, stored.WorkspaceId, stored.OutboundMessageId, stored.IsRead));
        Assert.Equal(("gus@rcpt.test", "Gus Grey", "Re: Hello"), (stored.FromAddress, stored.FromName, stored.Subject));
        Assert.Contains("Tuesday", stored.TextBody);
        Assert.Contains("<b>Tuesday</b>", stored.HtmlBody);
        var attachment = Assert.Single(stored.Attachments);
        Assert.Equal(("agenda.pdf", "application/pdf", 1234L), (attachment.FileName, attachment.ContentType, attachment.Size));
        var e = await w.App.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().SingleAsync());
        Assert.Equal((MessageEventType.Reply, sent.Id, "Re: Hello"), (e.Type, e.MessageId, e.Detail));
        var notification = await w.App.QueryAsync(db => db.Notifications.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(("reply-received", "Reply from Gus Grey", $"/inbox/{stored.Id}"), (notification.Kind, notification.Title, notification.Link));

        // An automatic answer to the return path is threaded too, but nobody is notified.
        var auto = new MimeMessage();
        auto.From.Add(MailboxAddress.Parse("gus@rcpt.test"));
        auto.Subject = "Out of office";
        auto.Headers.Add("Auto-Submitted", "auto-replied");
        auto.InReplyTo = sent.MessageId;
        auto.Body = new TextPart("plain") { Text = "I am away until Monday." };
        Assert.Contains("automatic reply", await SendWithMailKitAsync(w.Port, replyAddress, auto, sender: "gus@rcpt.test"));
        Assert.Equal(1, await w.App.QueryAsync(db => db.Notifications.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task CampaignMail_HasTheWorkspaceReplyAddressAsReplyTo_UnderDkim_AndTheAnswerLandsInTheInbox_WhileApiStyleMailKeepsItsOwn()
    {
        await using var w = await StartAsync(kind, withOwner: true);
        var list = await w.App.AddListAsync(w.WorkspaceId, "News");
        await w.App.AddContactsAsync(w.WorkspaceId, [("hal@rcpt.test", "Hal")], list.Id);
        var campaign = await w.App.CreateCampaignAsync(w.WorkspaceId, w.AccountId, [list.Id]);
        Assert.True((await w.App.ControlAsync(w.WorkspaceId, c => c.SendNowAsync(campaign))).Succeeded);
        await w.App.WaitForCampaignAsync(campaign, c => c.Status == CampaignStatus.Sent);
        await w.Remote.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));

        var sent = MimeMessage.Load(new MemoryStream(w.Remote.Messages.Single().Data));
        var replyAddress = w.Service<InboundAddresses>().ReplyAddressFor(w.WorkspaceId)!;
        Assert.Equal(replyAddress, Assert.Single(sent.ReplyTo.Mailboxes).Address);
        var signedHeaders = sent.Headers[HeaderId.DkimSignature]!.Split("h=")[1].Split(';')[0];
        Assert.Contains("reply-to", signedHeaders.ToLowerInvariant().Split(':').Select(h => h.Trim()));

        // The person answers as a mail client does: to the Reply-To, In-Reply-To the campaign message.
        var reply = new MimeMessage();
        reply.From.Add(new MailboxAddress("Hal", "hal@rcpt.test"));
        reply.To.AddRange(sent.ReplyTo);
        reply.Subject = "Re: " + sent.Subject;
        reply.InReplyTo = sent.MessageId;
        reply.Body = new TextPart("plain") { Text = "Count me in." };
        Assert.Contains("stored: reply", await SendWithMailKitAsync(w.Port, replyAddress, reply, sender: "hal@rcpt.test"));
        var campaignMessage = await w.App.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().SingleAsync(m => m.CampaignId == campaign));
        var stored = await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().SingleAsync());
        Assert.Equal((InboundKind.Reply, campaignMessage.Id), (stored.Kind, stored.OutboundMessageId));

        // Mail that is not campaign mail gets no Reply-To it did not ask for.
        var (single, _) = await SendOneAsync(w, "ida@rcpt.test");
        var transactional = MimeMessage.Load(new MemoryStream(w.Remote.Messages.Single(m => m.Recipients.Contains("ida@rcpt.test")).Data));
        Assert.Equal(single.MessageId, transactional.MessageId);
        Assert.Empty(transactional.ReplyTo);
    }

    [Fact]
    public async Task ReplyAddressOfOneWorkspace_NeverThreadsToAnotherWorkspacesMessage()
    {
        await using var w = await StartAsync(kind);
        var (sent, _) = await SendOneAsync(w, "hal@rcpt.test");
        var other = await w.App.AddWorkspaceAsync("Other");
        var otherAddress = w.Service<InboundAddresses>().ReplyAddressFor(other)!;
        var reply = new MimeMessage();
        reply.From.Add(MailboxAddress.Parse("hal@rcpt.test"));
        reply.Subject = "Re: Hello";
        reply.InReplyTo = sent.MessageId;
        reply.Body = new TextPart("plain") { Text = "hi" };
        await SendWithMailKitAsync(w.Port, otherAddress, reply, sender: "hal@rcpt.test");
        var stored = await w.App.QueryAsync(db => db.InboundMessages.IgnoreQueryFilters().SingleAsync());
        Assert.Equal((other, (long?)null), (stored.WorkspaceId, stored.OutboundMessageId));
        Assert.Equal(0, await w.App.QueryAsync(db => db.MessageEvents.IgnoreQueryFilters().CountAsync()));
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    /// <summary>Queues one message through the real outbox, waits until the engine delivered it; returns it and its MAIL FROM.</summary>
    internal static async Task<(OutboundMessage Message, string ReturnPath)> SendOneAsync(World w, string to)
    {
        var before = w.Remote.Messages.Count;
        var queued = await w.App.QueueAsync(w.WorkspaceId, w.AccountId, [to]);
        var id = queued[0].Id;
        var rows = await w.App.WaitForMessagesAsync(all => all.Any(m => m.Id == id && m.Status == MessageStatus.Sent));
        await w.Remote.WaitForMessagesAsync(before + 1, TimeSpan.FromSeconds(30));
        var received = w.Remote.Messages.Last(m => m.DataText.Contains(queued[0].MessageId));
        return (rows.Single(m => m.Id == id), received.From);
    }

    internal static async Task AddWebhookAsync(World w, string eventType)
    {
        await using var scope = w.App.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(w.WorkspaceId);
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        db.WebhookEndpoints.Add(new WebhookEndpoint
        {
            Url = "https://hooks.example.test/sendcraft", EventTypes = eventType,
            SecretProtected = scope.ServiceProvider.GetRequiredService<SecretProtector>().Protect("whsec_test"),
        });
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<WebhookSubscriptions>().Invalidate();
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    /// <summary>An RFC 3464 DSN as Postfix writes it, with the original's headers attached (text/rfc822-headers).</summary>
    internal static string Dsn(string recipient, string status, string action, string? diagnostic, string originalMessageId, string? returnPath) => $"""
        From: Mail Delivery System <MAILER-DAEMON@mx.rcpt.test>
        To: {returnPath ?? "bounces@" + BounceDomain}
        Subject: Undelivered Mail Returned to Sender
        Date: Wed, 02 Dec 2026 10:00:00 +0000
        Message-ID: <dsn-{Guid.NewGuid():N}@mx.rcpt.test>
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-boundary"

        --dsn-boundary
        Content-Type: text/plain; charset=us-ascii

        This is the mail system at host mx.rcpt.test.
        I'm sorry to have to inform you that your message could not be delivered.

        --dsn-boundary
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.rcpt.test
        Arrival-Date: Wed, 02 Dec 2026 09:59:58 +0000

        Final-Recipient: rfc822; {recipient}
        Original-Recipient: rfc822;{recipient}
        Action: {action}
        Status: {status}
        {(diagnostic is null ? "Remote-MTA: dns; mx.rcpt.test" : "Diagnostic-Code: " + diagnostic)}

        --dsn-boundary
        Content-Type: text/rfc822-headers

        {(returnPath is null ? "X-Forwarded-By: relay.rcpt.test" : $"Return-Path: <{returnPath}>")}
        From: Sender Test <news@sender.test>
        To: {recipient}
        Subject: Hello
        Message-ID: <{originalMessageId}>

        --dsn-boundary--
        """.ReplaceLineEndings("\r\n");

    /// <summary>An RFC 5965 ARF report as a feedback loop sends it, with the original message attached (message/rfc822).</summary>
    internal static string Arf(string recipient, string originalMessageId, string returnPath) => $"""
        From: Feedback Loop <feedback@fbl.rcpt.test>
        To: fbl@{BounceDomain}
        Subject: Abuse report
        Date: Wed, 02 Dec 2026 10:00:00 +0000
        Message-ID: <arf-{Guid.NewGuid():N}@fbl.rcpt.test>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="arf-boundary"

        --arf-boundary
        Content-Type: text/plain; charset=us-ascii

        This is an email abuse report for an email message received from IP 192.0.2.1.

        --arf-boundary
        Content-Type: message/feedback-report

        Feedback-Type: abuse
        User-Agent: ExampleFBL/1.0
        Version: 1
        Original-Mail-From: <{returnPath}>
        Original-Rcpt-To: <{recipient}>
        Arrival-Date: Wed, 02 Dec 2026 09:00:00 +0000
        Source-IP: 192.0.2.1

        --arf-boundary
        Content-Type: message/rfc822
        Content-Disposition: inline

        Return-Path: <{returnPath}>
        From: Sender Test <news@sender.test>
        To: {recipient}
        Subject: Hello
        Message-ID: <{originalMessageId}>

        Hello there

        --arf-boundary--
        """.ReplaceLineEndings("\r\n");

    internal static async Task<string> SendWithMailKitAsync(int port, string to, string raw, string sender = "postmaster@mx.rcpt.test") =>
        await SendWithMailKitAsync(port, to, MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(raw))), sender);

    internal static async Task<string> SendWithMailKitAsync(int port, string to, MimeMessage message, string sender = "postmaster@mx.rcpt.test")
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
        var answer = await client.SendAsync(message, MailboxAddress.Parse(sender), [MailboxAddress.Parse(to)]);
        await client.DisconnectAsync(true);
        return answer;
    }

    /// <summary>Sends exactly these bytes with a raw SMTP conversation; returns the reply to the end of DATA.</summary>
    internal static async Task<string> SendRawAsync(int port, string from, string to, string data)
    {
        await using var smtp = await RawSmtp.ConnectAsync(port);
        await smtp.ReadAsync();
        await smtp.SendAsync("EHLO mx.rcpt.test");
        Assert.StartsWith("250", await smtp.SendAsync($"MAIL FROM:<{from}>"));
        Assert.StartsWith("250", await smtp.SendAsync($"RCPT TO:<{to}>"));
        Assert.StartsWith("354", await smtp.SendAsync("DATA"));
        var dotStuffed = string.Join("\r\n", data.Split("\r\n").Select(l => l.StartsWith('.') ? "." + l : l));
        return await smtp.SendAsync(dotStuffed.TrimEnd('\r', '\n') + "\r\n.");
    }

    private static async Task<(bool Ok, string Output)> SwaksAsync(int port, string from, string to, string data)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, data);
        try
        {
            var start = new ProcessStartInfo("swaks") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--server", "127.0.0.1", "--port", port.ToString(), "--from", from, "--to", to, "--data", file, "--timeout", "20" })
                start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return (process.ExitCode == 0, await output + await error);
        }
        finally { File.Delete(file); }
    }
}

public sealed class InboundMailTests_Sqlite() : InboundMailTests(DatabaseKind.Sqlite);
public sealed class InboundMailTests_MariaDb() : InboundMailTests(DatabaseKind.MariaDb);
