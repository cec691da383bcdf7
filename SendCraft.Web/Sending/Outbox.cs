using Microsoft.EntityFrameworkCore;
using MimeKit;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

public sealed record AttachmentInput(string FileName, string ContentType, byte[] Data);

/// <param name="SubmissionKey">Identifies the form submission or request; the same key queues once (see MessageContent.SubmissionKey).</param>
/// <param name="TestOfCampaign">A campaign's test send: its rows carry the campaign with IsTest set, so the log shows them as tests and the campaign's counters leave them out.</param>
public sealed record OutgoingEmail(
    long SmtpAccountId, IReadOnlyList<MailboxAddress> To, IReadOnlyList<MailboxAddress> Cc, IReadOnlyList<MailboxAddress> Bcc,
    string Subject, string? HtmlBody, string? TextBody, IReadOnlyList<AttachmentInput> Attachments, string? SubmissionKey = null,
    long? TestOfCampaign = null);

/// <summary>
/// Puts mail into the durable outbox of the current workspace: one content row and one outbox row per
/// recipient (To, Cc and Bcc alike), committed before anything is transmitted. Suppressed recipients get a row
/// in status Suppressed, so the log shows why they got nothing.
/// </summary>
public sealed class Outbox(SendCraftDbContext db, OutboxSignal signal, TimeProvider clock)
{
    public async Task<IReadOnlyList<OutboundMessage>> QueueAsync(OutgoingEmail email, CancellationToken ct = default)
    {
        HeaderGuard.Ensure(email.Subject, "Subject");
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
            FromAddress = account.FromEmail,
            FromName = account.FromName,
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
        var suppressed = await db.Suppressions.Where(s => recipients.Contains(s.Email)).Select(s => s.Email).ToListAsync(ct);

        var rows = recipients.Select(r => new OutboundMessage
        {
            SmtpAccountId = account.Id,
            Content = content,
            CampaignId = email.TestOfCampaign,
            IsTest = email.TestOfCampaign is not null,
            Recipient = r,
            MessageId = MimeBuilder.NewMessageId(account.FromEmail),
            Status = suppressed.Contains(r) ? MessageStatus.Suppressed : MessageStatus.Queued,
            LastSmtpResponse = suppressed.Contains(r) ? "Not sent: the address is on the suppression list." : null,
            DueAt = now,
            CreatedAt = now,
        }).ToList();
        db.OutboundMessages.AddRange(rows);
        try
        {
            await db.SaveChangesAsync(ct);
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
        var changed = await db.OutboundMessages.Where(m => m.Id == id && (m.Status == MessageStatus.Failed || m.Status == MessageStatus.Cancelled))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Queued).SetProperty(m => m.DueAt, now)
                .SetProperty(m => m.Attempts, 0), ct);
        if (changed == 1) signal.Notify();
        return changed == 1;
    }
}
