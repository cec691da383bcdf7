using Microsoft.EntityFrameworkCore;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Webhooks;
using SendCraft.Web.Unsubscribe;

namespace SendCraft.Web.Sending;

public sealed record AttachmentInput(string FileName, string ContentType, byte[] Data);

/// <param name="SubmissionKey">Identifies the form submission or request; the same key queues once (see MessageContent.SubmissionKey).</param>
/// <param name="TestOfCampaign">A campaign's test send: its rows carry the campaign with IsTest set, so the log shows them as tests and the campaign's counters leave them out.</param>
public sealed record OutgoingEmail(
    long SmtpAccountId, IReadOnlyList<MailboxAddress> To, IReadOnlyList<MailboxAddress> Cc, IReadOnlyList<MailboxAddress> Bcc,
    string Subject, string? HtmlBody, string? TextBody, IReadOnlyList<AttachmentInput> Attachments, string? SubmissionKey = null,
    long? TestOfCampaign = null)
{
    /// <summary>The From address instead of the account's (SMTP submission: the sender's own address at the account's domain, checked by the caller).</summary>
    public string? FromAddress { get; init; }
    /// <summary>The From display name instead of the account's.</summary>
    public string? FromName { get; init; }
    /// <summary>The Reply-To header (comma-separated addresses).</summary>
    public string? ReplyTo { get; init; }
    /// <summary>Sandbox (sc_test_ key): the rows are written as Sandboxed, which no worker claims, so nothing is transmitted.</summary>
    public bool Sandbox { get; init; }
    /// <summary>The API key that submitted the mail (MessageContent.ApiKeyId).</summary>
    public long? ApiKeyId { get; init; }
}

/// <summary>
/// Puts mail into the durable outbox of the current workspace: one content row and one outbox row per
/// recipient (To, Cc and Bcc alike), committed before anything is transmitted. Suppressed recipients get a row
/// in status Suppressed, so the log shows why they got nothing.
/// </summary>
public sealed class Outbox(SendCraftDbContext db, OutboxSignal signal, TimeProvider clock, WebhookEvents webhooks)
{
    public async Task<IReadOnlyList<OutboundMessage>> QueueAsync(OutgoingEmail email, CancellationToken ct = default)
    {
        HeaderGuard.Ensure(email.Subject, "Subject");
        if (email.FromAddress is not null) HeaderGuard.Ensure(email.FromAddress, "From address");
        if (email.FromName is not null) HeaderGuard.Ensure(email.FromName, "From name");
        if (email.ReplyTo is not null) HeaderGuard.Ensure(email.ReplyTo, "Reply-To");
        foreach (var address in email.To.Concat(email.Cc).Concat(email.Bcc))
        {
            HeaderGuard.Ensure(address.Name, "Recipient name");
            HeaderGuard.Ensure(address.Address, "Recipient address");
        }
        if (email.SubmissionKey is { } submitted && await AlreadyQueuedAsync(submitted, ct) is { } queuedBefore) return queuedBefore;
        var account = await db.SmtpAccounts.FirstOrDefaultAsync(a => a.Id == email.SmtpAccountId, ct)
                      ?? throw new ArgumentException("Unknown SMTP account.", nameof(email));
        var now = clock.GetUtcNow().UtcDateTime;

        var content = new MessageContent
        {
            FromAddress = email.FromAddress ?? account.FromEmail,
            FromName = email.FromName ?? account.FromName,
            ReplyTo = email.ReplyTo,
            ApiKeyId = email.ApiKeyId,
            ToHeader = string.Join(", ", email.To.Select(a => a.ToString())),
            CcHeader = email.Cc.Count == 0 ? null : string.Join(", ", email.Cc.Select(a => a.ToString())),
            Subject = email.Subject,
            HtmlBody = email.HtmlBody,
            TextBody = email.TextBody,
            CreatedAt = now,
            SubmissionKey = email.SubmissionKey,
            Attachments = email.Attachments.Select(a => new MessageAttachment { FileName = a.FileName, ContentType = a.ContentType, Data = a.Data }).ToList(),
        };
        var recipients = email.To.Concat(email.Cc).Concat(email.Bcc)
            .Select(a => a.Address.Trim().ToLowerInvariant()).Distinct().ToList();
        // Compose and campaign tests are not campaign mail: an unsubscribe does not stop them (SuppressionScope).
        var suppressed = await db.Suppressions.Where(s => recipients.Contains(s.Email)).Where(SuppressionScope.StopsTransactional).Select(s => s.Email).ToListAsync(ct);

        var rows = recipients.Select(r => new OutboundMessage
        {
            SmtpAccountId = account.Id,
            Content = content,
            CampaignId = email.TestOfCampaign,
            IsTest = email.TestOfCampaign is not null,
            Recipient = r,
            MessageId = MimeBuilder.NewMessageId(account.FromEmail),
            Status = suppressed.Contains(r) ? MessageStatus.Suppressed : email.Sandbox ? MessageStatus.Sandboxed : MessageStatus.Queued,
            LastSmtpResponse = suppressed.Contains(r) ? "Not sent: the address is on the suppression list."
                : email.Sandbox ? "Sandbox key: accepted and logged, not transmitted." : null,
            SentAt = email.Sandbox && !suppressed.Contains(r) ? now : null,
            DueAt = now,
            CreatedAt = now,
        }).ToList();
        db.OutboundMessages.AddRange(rows);
        try
        {
            await SaveWithQueuedWebhooksAsync(db, webhooks, account.WorkspaceId, rows, ct);
        }
        catch (DbUpdateException) when (email.SubmissionKey is { } key)
        {
            // The same submission arriving twice at once: the unique key let one in; answer with what it queued.
            db.ChangeTracker.Clear();
            if (await AlreadyQueuedAsync(key, ct) is { } earlier) return earlier;
            throw;
        }
        signal.Notify();
        return rows;
    }

    /// <summary>
    /// Saves new outbox rows (already added to <paramref name="db"/>) and their message.queued webhooks in one commit: the
    /// one queueing path of the pages, the API and SMTP submission. A transaction of its own only when someone subscribes
    /// and the caller has none open, so mail without webhooks is queued with one SaveChanges as before.
    /// </summary>
    internal static async Task SaveWithQueuedWebhooksAsync(
        SendCraftDbContext db, WebhookEvents webhooks, long workspaceId, IEnumerable<OutboundMessage> rows, CancellationToken ct)
    {
        var queued = rows.Where(r => r.Status == MessageStatus.Queued).ToList();
        var notify = queued.Count > 0 && await webhooks.IsSubscribedAsync(workspaceId, WebhookEventTypes.MessageQueued, ct);
        await using var tx = notify && db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await db.SaveChangesAsync(ct);
        if (notify) await webhooks.EnqueueAsync(queued.Select(r => MessageEvents.Queued(r, r.Content!)).ToList(), ct);
        if (tx is not null) await tx.CommitAsync(ct);
    }

    private async Task<IReadOnlyList<OutboundMessage>?> AlreadyQueuedAsync(string submissionKey, CancellationToken ct)
    {
        var rows = await db.OutboundMessages.AsNoTracking().Where(m => m.Content!.SubmissionKey == submissionKey)
            .OrderBy(m => m.Id).ToListAsync(ct);
        return rows.Count > 0 ? rows : null;
    }

    /// <summary>Cancels a row that has not been handed to a worker. False when it is being sent or already done.</summary>
    public async Task<bool> CancelAsync(long id, CancellationToken ct = default) =>
        await db.OutboundMessages.Where(m => m.Id == id && (m.Status == MessageStatus.Queued || m.Status == MessageStatus.Deferred))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Cancelled)
                .SetProperty(m => m.LastSmtpResponse, "Cancelled by a user."), ct) == 1;

    /// <summary>Queues a failed (or cancelled) message again with a fresh attempt count.</summary>
    public async Task<bool> RetryAsync(long id, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // A message whose body the retention job purged has nothing left to send.
        var changed = await db.OutboundMessages.Where(m => m.Id == id && (m.Status == MessageStatus.Failed || m.Status == MessageStatus.Cancelled)
                && m.Content!.BodyPurgedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Queued).SetProperty(m => m.DueAt, now)
                .SetProperty(m => m.Attempts, 0), ct);
        if (changed == 1) signal.Notify();
        return changed == 1;
    }
}
