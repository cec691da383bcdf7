using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Realtime;
using SendCraft.Web.Webhooks;

namespace SendCraft.Web.Inbound;

/// <summary>
/// Decides what one received message is and acts on it. The message is found by the VERP token of the address it was
/// sent to first, then by what the report says (the original's Return-Path token, Original-Message-ID, the attached
/// original's Message-ID) or, for replies, by In-Reply-To and References. Then:
/// hard bounce (RFC 3464, status 5.x.x): message Bounced, address suppressed, contact Bounced, event, message.bounced;
/// soft bounce (4.x.x): event, and suppression after Inbound:SoftBounceLimit in a row;
/// complaint (RFC 5965 ARF): event, suppression, contact Complained, message.complained;
/// reply: stored for the inbox, threaded, event, members notified.
/// Whatever cannot be read or matched is stored with the reason (in the workspace when one is known, else in
/// UnroutedInboundMessages): never dropped. Nothing here crosses workspaces: a reply address only threads to its own
/// workspace's messages.
/// </summary>
public sealed class InboundProcessor(
    IServiceScopeFactory scopes, InboundAddresses addresses, IOptions<InboundOptions> options, INotifier notifier,
    IInboundUnsubscribe unsubscribe, TimeProvider clock, ILogger<InboundProcessor> log)
{
    private const int MaxBodyChars = 1024 * 1024;

    /// <summary>Processes the message for each of our addresses it was sent to; returns a short summary for the SMTP reply.</summary>
    public async Task<string> ProcessAsync(string mailFrom, IReadOnlyList<InboundRoute> routes, byte[] raw, CancellationToken ct)
    {
        var parsed = InboundParser.Parse(raw);
        var outcomes = new List<string>();
        foreach (var route in routes.DistinctBy(r => (r.Kind, r.Id)))
            outcomes.Add(await ProcessOneAsync(mailFrom, route, parsed, raw, ct));
        return string.Join("; ", outcomes.Distinct());
    }

    private sealed record Decision(InboundKind Kind, string Reason);

    private async Task<string> ProcessOneAsync(string mailFrom, InboundRoute route, InboundParser parsed, byte[] raw, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();

        long? workspaceId = route.Kind == InboundRouteKind.WorkspaceReply ? route.Id : null;
        if (workspaceId is { } ws && !await db.Workspaces.AnyAsync(w => w.Id == ws, ct)) workspaceId = null;
        var (message, how) = await FindMessageAsync(db, route, parsed, workspaceId, ct);
        if (message is not null && workspaceId is { } own && message.WorkspaceId != own) (message, how) = (null, "");
        workspaceId ??= message?.WorkspaceId;

        var decision = Decide(route, parsed, message, how, mailFrom);
        if (decision.Kind == InboundKind.Unsubscribe)
        {
            var done = false;
            try { done = await unsubscribe.UnsubscribeAsync(route.Token!, "mailto", ct); }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Inbound: the unsubscribe hook failed"); }
            decision = decision with { Reason = done ? "Unsubscribed by mail (the mailto of List-Unsubscribe)." : "Unsubscribe request by mail; nobody was unsubscribed (the token's recipient is already out, or the unsubscribe feature is not wired)." };
        }

        if (workspaceId is not { } workspace)
        {
            db.UnroutedInboundMessages.Add(new UnroutedInboundMessage
            {
                ReceivedAt = now, MailFrom = Cut(mailFrom, 254), RcptTo = route.Address,
                FromAddress = Cut(parsed.Message?.From.Mailboxes.FirstOrDefault()?.Address ?? "", 254),
                Subject = Cut(parsed.Message?.Subject ?? "", InboundMessage.SubjectMaxLength),
                Reason = Cut(decision.Reason, InboundMessage.ReasonMaxLength), RawSize = raw.Length,
                Raw = raw.Length <= options.Value.MaxStoredBytes ? raw : null,
            });
            await db.SaveChangesAsync(ct);
            log.LogInformation("Inbound: mail for {Address} belongs to no workspace ({Reason})", route.Address, decision.Reason);
            return "stored: " + Describe(decision.Kind);
        }

        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspace);
        var row = NewRow(mailFrom, route, parsed, raw, message, decision, now);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                db.InboundMessages.Add(row);
                if (message is not null) await ApplyAsync(scope.ServiceProvider, db, row, message, parsed, now, ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                break;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Two reports about one address at once: the other one's suppression went in first. Again, seeing it.
                db.ChangeTracker.Clear();
                row = NewRow(mailFrom, route, parsed, raw, message, decision, now);
                if (message is not null) message = await LoadAsync(db, message.Id, ct);
            }
        }
        log.LogInformation("Inbound: {Kind} for message {MessageId} in workspace {WorkspaceId}: {Reason}", row.Kind, row.OutboundMessageId, workspace, row.Reason);

        if (row.Kind == InboundKind.Reply)
        {
            var from = string.IsNullOrWhiteSpace(row.FromName) ? row.FromAddress : row.FromName;
            await notifier.NotifyWorkspaceAsync(workspace, NotificationKinds.ReplyReceived, $"Reply from {from}",
                string.IsNullOrWhiteSpace(row.Subject) ? "(no subject)" : row.Subject, $"/inbox/{row.Id}", ct);
        }
        return "stored: " + Describe(row.Kind);
    }

    private static string Describe(InboundKind kind) => kind switch
    {
        InboundKind.Bounce => "hard bounce",
        InboundKind.SoftBounce => "soft bounce",
        InboundKind.AutoReply => "automatic reply",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static Decision Decide(InboundRoute route, InboundParser parsed, OutboundMessage? message, string how, string mailFrom)
    {
        if (parsed.Message is null || parsed.Error is not null) return new(InboundKind.Unparsed, parsed.Error ?? "Not a readable email message.");
        if (route.Kind == InboundRouteKind.Unsubscribe) return new(InboundKind.Unsubscribe, "Unsubscribe request by mail.");
        if (parsed.Dsn is { Status.Length: > 0 } dsn)
        {
            var what = $"Delivery status {dsn.Status} ({dsn.Action}{(dsn.Diagnostic is null ? "" : ": " + dsn.Diagnostic)})";
            if (message is null) return new(InboundKind.Unmatched, what + ". No message of ours was found for it " + Tried(route, dsn.Original));
            return dsn.IsHard ? new(InboundKind.Bounce, $"{what}; matched by {how}. Hard bounce: the address is suppressed.")
                : dsn.IsSoft ? new(InboundKind.SoftBounce, $"{what}; matched by {how}. Soft bounce: counted.")
                : new(InboundKind.Report, $"{what}; matched by {how}. Not a failure: nothing to do.");
        }
        if (parsed.Arf is { } arf)
        {
            var what = $"Feedback report ({arf.FeedbackType})";
            if (message is null) return new(InboundKind.Unmatched, what + ". No message of ours was found for it " + Tried(route, arf.Original));
            return new(InboundKind.Complaint, $"{what}; matched by {how}. The recipient complained: the address is suppressed.");
        }
        if (parsed.ReportProblem is { } problem) return new(InboundKind.Unparsed, problem);
        if (route.Kind is InboundRouteKind.ReturnPath or InboundRouteKind.Shared && parsed.LooksLikeBounce(mailFrom))
            return new(InboundKind.Unparsed, "Looks like a bounce, but not a delivery status report (RFC 3464): not classified, nothing suppressed.");
        var threaded = message is null ? "not threaded (no In-Reply-To or References of ours)" : $"threaded by {how}";
        if (route.Kind == InboundRouteKind.Shared && message is null)
            return new(InboundKind.Unmatched, $"Mail to {route.Address} that is neither a report nor an answer to a message of ours.");
        return parsed.IsAutoReply ? new(InboundKind.AutoReply, $"Automatic reply; {threaded}.") : new(InboundKind.Reply, $"Reply; {threaded}.");
    }

    private static string Tried(InboundRoute route, OriginalMessage original) =>
        $"(address {route.Address}; Original-Message-ID or attached Message-ID {original.MessageId ?? "none"}; attached Return-Path {original.ReturnPath ?? "none"}).";

    /// <summary>The outbox row the mail is about, and how it was found.</summary>
    private async Task<(OutboundMessage? Message, string How)> FindMessageAsync(
        SendCraftDbContext db, InboundRoute route, InboundParser parsed, long? workspaceId, CancellationToken ct)
    {
        if (route.Kind is InboundRouteKind.ReturnPath or InboundRouteKind.Unsubscribe && await LoadAsync(db, route.Id, ct) is { } byToken)
            return (byToken, "the VERP address");
        var original = parsed.Dsn?.Original ?? parsed.Arf?.Original;
        if (original is not null)
        {
            foreach (var (address, how) in new[] { (parsed.Arf?.OriginalMailFrom, "Original-Mail-From"), (original.ReturnPath, "the original's Return-Path") })
                if (addresses.MessageOfReturnPath(address) is { } id && await LoadAsync(db, id, ct) is { } byReturnPath)
                    return (byReturnPath, how);
            if (original.MessageId is { } messageId && await LoadByMessageIdAsync(db, messageId, workspaceId, ct) is { } byId)
                return (byId, "the original's Message-ID");
            return (null, "");
        }
        foreach (var id in parsed.AnsweredIds())
            if (await LoadByMessageIdAsync(db, id, workspaceId, ct) is { } answered)
                return (answered, "In-Reply-To/References");
        return (null, "");
    }

    // Inbound mail arrives outside any workspace: these look across workspaces (IgnoreQueryFilters) by a key that names
    // one message (its id from a signed token, or its unique Message-ID); the caller then works inside that workspace.
    private static Task<OutboundMessage?> LoadAsync(SendCraftDbContext db, long id, CancellationToken ct) =>
        db.OutboundMessages.IgnoreQueryFilters().Include(m => m.Content).FirstOrDefaultAsync(m => m.Id == id, ct);

    private static Task<OutboundMessage?> LoadByMessageIdAsync(SendCraftDbContext db, string messageId, long? workspaceId, CancellationToken ct) =>
        db.OutboundMessages.IgnoreQueryFilters().Include(m => m.Content)
            .Where(m => m.MessageId == messageId && (workspaceId == null || m.WorkspaceId == workspaceId))
            .OrderBy(m => m.Id).FirstOrDefaultAsync(ct);

    private InboundMessage NewRow(string mailFrom, InboundRoute route, InboundParser parsed, byte[] raw, OutboundMessage? message, Decision decision, DateTime now)
    {
        var m = parsed.Message;
        var from = m?.From.Mailboxes.FirstOrDefault();
        return new InboundMessage
        {
            Kind = decision.Kind, Reason = Cut(decision.Reason, InboundMessage.ReasonMaxLength),
            MailFrom = Cut(mailFrom, 254), RcptTo = route.Address,
            FromAddress = Cut(from?.Address ?? "", 254), FromName = Cut(from?.Name ?? "", InboundMessage.NameMaxLength),
            Subject = Cut(m?.Subject ?? "", InboundMessage.SubjectMaxLength),
            MessageIdHeader = InboundParser.Unbracket(m?.MessageId), InReplyTo = InboundParser.Unbracket(m?.InReplyTo),
            OutboundMessageId = message?.Id,
            ReportedRecipient = parsed.Dsn?.FinalRecipient ?? parsed.Arf?.OriginalRcptTo,
            ReportStatus = parsed.Dsn is { Status.Length: > 0 } d ? d.Status : parsed.Arf?.FeedbackType,
            TextBody = CutOrNull(m?.TextBody, MaxBodyChars), HtmlBody = CutOrNull(m?.HtmlBody, MaxBodyChars),
            Headers = m is null ? null : parsed.HeaderText(),
            Raw = raw.Length <= options.Value.MaxStoredBytes ? raw : null, RawSize = raw.Length,
            ReceivedAt = now,
            // Reports are the machine's business: only replies arrive unread.
            IsRead = decision.Kind is not (InboundKind.Reply or InboundKind.AutoReply),
            Attachments = parsed.AttachmentList().Select(a => new InboundAttachment { FileName = a.FileName, ContentType = Cut(a.ContentType, 127), Size = a.Size }).ToList(),
        };
    }

    /// <summary>The effects on the message, its address and its contact; inside the caller's transaction.</summary>
    private async Task ApplyAsync(IServiceProvider services, SendCraftDbContext db, InboundMessage row, OutboundMessage message, InboundParser parsed, DateTime now, CancellationToken ct)
    {
        var webhooks = services.GetRequiredService<WebhookEvents>();
        var detail = Cut(row.Kind == InboundKind.Reply || row.Kind == InboundKind.AutoReply ? row.Subject : row.Reason ?? "", MessageEvent.DetailMaxLength);
        switch (row.Kind)
        {
            case InboundKind.Bounce:
                if (message.Status == MessageStatus.Sent)
                {
                    message.Status = MessageStatus.Bounced;
                    message.LastSmtpResponse = Cut($"Bounced after delivery: {parsed.Dsn!.Status} {parsed.Dsn.Diagnostic}".Trim(), 1000);
                }
                await AddEventAsync(db, message, MessageEventType.Bounce, detail, now, ct);
                await SuppressAsync(db, message.Recipient, SuppressionReason.HardBounce, $"Hard bounce {parsed.Dsn!.Status}: {parsed.Dsn.Diagnostic}", now, ct);
                await MarkContactAsync(db, message.Recipient, ContactStatus.Bounced, now, ct);
                await webhooks.EnqueueAsync(message.WorkspaceId, WebhookEventTypes.MessageBounced, Data(message, "bounced", parsed.Dsn.Status, parsed.Dsn.Diagnostic, now), ct);
                break;
            case InboundKind.SoftBounce:
                await AddEventAsync(db, message, MessageEventType.SoftBounce, detail, now, ct);
                await db.SaveChangesAsync(ct);
                if (await SoftStreakAsync(db, message, ct))
                {
                    var limit = options.Value.SoftBounceLimit;
                    await SuppressAsync(db, message.Recipient, SuppressionReason.HardBounce,
                        $"{limit} soft bounces in a row without a delivery in between (last: {parsed.Dsn!.Status} {parsed.Dsn.Diagnostic})", now, ct);
                    row.Reason = Cut(row.Reason + $" That makes {limit} in a row for this address: it is suppressed.", InboundMessage.ReasonMaxLength);
                }
                break;
            case InboundKind.Complaint:
                await AddEventAsync(db, message, MessageEventType.Complaint, detail, now, ct);
                await SuppressAsync(db, message.Recipient, SuppressionReason.Complaint, $"Complaint ({parsed.Arf!.FeedbackType}) about message {message.MessageId}", now, ct);
                await MarkContactAsync(db, message.Recipient, ContactStatus.Complained, now, ct);
                await webhooks.EnqueueAsync(message.WorkspaceId, WebhookEventTypes.MessageComplained, Data(message, "complained", null, parsed.Arf.FeedbackType, now), ct);
                break;
            case InboundKind.Reply or InboundKind.AutoReply:
                await AddEventAsync(db, message, MessageEventType.Reply, detail, now, ct);
                break;
        }
    }

    private static async Task AddEventAsync(SendCraftDbContext db, OutboundMessage message, MessageEventType type, string detail, DateTime now, CancellationToken ct)
    {
        var first = !await db.MessageEvents.AnyAsync(e => e.MessageId == message.Id && e.Type == type, ct)
                    && !db.MessageEvents.Local.Any(e => e.MessageId == message.Id && e.Type == type);
        db.MessageEvents.Add(new MessageEvent
        {
            MessageId = message.Id, CampaignId = message.IsTest ? null : message.CampaignId, Type = type, OccurredAt = now, IsUnique = first,
            Detail = detail.Length == 0 ? null : detail,
        });
    }

    /// <summary>
    /// The last Inbound:SoftBounceLimit messages sent to the address, up to and including this one, all soft-bounced:
    /// a message in between that did not bounce counts as a delivery and breaks the streak. Messages sent after this one
    /// are left out (their bounces may still be on the way). Reads the (WorkspaceId, Recipient, Id) index.
    /// </summary>
    private async Task<bool> SoftStreakAsync(SendCraftDbContext db, OutboundMessage message, CancellationToken ct)
    {
        var limit = options.Value.SoftBounceLimit;
        var recent = await db.OutboundMessages.Where(m => m.Recipient == message.Recipient && m.Id <= message.Id && m.SentAt != null)
            .OrderByDescending(m => m.Id).Take(limit).Select(m => m.Id).ToListAsync(ct);
        if (recent.Count < limit) return false;
        var bounced = await db.MessageEvents.Where(e => recent.Contains(e.MessageId) && (e.Type == MessageEventType.SoftBounce || e.Type == MessageEventType.Bounce))
            .Select(e => e.MessageId).Distinct().CountAsync(ct);
        return bounced >= limit;
    }

    private static async Task SuppressAsync(SendCraftDbContext db, string email, SuppressionReason reason, string detail, DateTime now, CancellationToken ct)
    {
        email = email.Trim().ToLowerInvariant();
        if (await db.Suppressions.AnyAsync(s => s.Email == email, ct) || db.Suppressions.Local.Any(s => s.Email == email)) return;
        db.Suppressions.Add(new Suppression { Email = email, Reason = reason, Detail = Cut(detail, 1000), CreatedAt = now });
    }

    /// <summary>Only an Active contact changes: an unsubscribed one stays unsubscribed, a complaint is not overwritten by a bounce.</summary>
    private static Task MarkContactAsync(SendCraftDbContext db, string email, ContactStatus status, DateTime now, CancellationToken ct)
    {
        var normalized = Contacts.ContactEmail.Normalize(email) ?? email;
        return db.Contacts.Where(c => c.Email == normalized && (c.Status == ContactStatus.Active || (status == ContactStatus.Complained && c.Status != ContactStatus.Complained)))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, status).SetProperty(c => c.UpdatedAt, now), ct);
    }

    private static MessageEvents.MessageEventData Data(OutboundMessage m, string status, string? code, string? detail, DateTime at) => new(
        m.Id, m.MessageId, m.Recipient, m.Content?.FromAddress, m.Content?.Subject, status, m.Attempts, null,
        string.Join(" ", new[] { code, detail }.Where(s => !string.IsNullOrWhiteSpace(s))), at, null);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
    private static string? CutOrNull(string? text, int max) => text is null ? null : Cut(text, max);
}
