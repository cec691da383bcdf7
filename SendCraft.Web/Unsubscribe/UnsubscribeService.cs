using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Contacts;
using SendCraft.Web.Data;
using SendCraft.Web.Tracking;
using SendCraft.Web.Webhooks;

namespace SendCraft.Web.Unsubscribe;

/// <summary>How an unsubscribe arrived: recorded in the event's detail.</summary>
public enum UnsubscribeSource
{
    /// <summary>RFC 8058: the mail client POSTed List-Unsubscribe=One-Click to the URL of the List-Unsubscribe header.</summary>
    OneClick,
    /// <summary>The recipient confirmed on the unsubscribe or preferences page.</summary>
    Page,
    /// <summary>A mail to the mailto address of the List-Unsubscribe header (unsubscribe+&lt;token&gt;@…), via the inbound listener.</summary>
    Mailto,
}

/// <summary>The message an unsubscribe token names, and who it went to.</summary>
public sealed record UnsubscribeRecipient(
    long MessageId, long WorkspaceId, long? CampaignId, long? ContactId, string Email, string MessageIdHeader, string? From, string? Subject);

public enum UnsubscribeResult { Unsubscribed, AlreadyUnsubscribed }

/// <summary>A list of the preferences page: one the contact is in.</summary>
public sealed record ListChoice(long Id, string Name);

/// <summary>
/// Unsubscribing and the preferences behind the public pages (/u/{token}, /p/{token}) and the mailto address.
/// Unsubscribing marks the contact Unsubscribed (campaign expansion and the send-time check skip it), adds a
/// suppression with reason Unsubscribed (it outlives the contact: a deleted and re-imported address stays unsubscribed),
/// records a MessageEvent and queues message.unsubscribed, all in one transaction, once: repeating it changes nothing.
/// An Unsubscribed suppression stops campaign mail only; transactional mail (API, compose, SMTP submission) still goes
/// (see SuppressionScope).
/// </summary>
public sealed class UnsubscribeService(
    SendCraftDbContext db, WorkspaceScope scope, MessageTokens tokens, WebhookEvents webhooks, TimeProvider clock, ILogger<UnsubscribeService> log)
{
    /// <summary>The message a token names; null for a token this installation did not make (tampered, truncated) or a message that is gone.</summary>
    public async Task<UnsubscribeRecipient?> FindAsync(string? token, CancellationToken ct = default)
    {
        if (!tokens.TryRead(TokenPurpose.Unsubscribe, token?.Trim().ToLowerInvariant(), out var id, out _)) return null;
        return await db.OutboundMessages.IgnoreQueryFilters().AsNoTracking().Where(m => m.Id == id)
            .Select(m => new UnsubscribeRecipient(m.Id, m.WorkspaceId, m.CampaignId, m.ContactId, m.Recipient, m.MessageId,
                m.Content!.FromAddress, m.Content.Subject))
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Unsubscribes the recipient of the message <paramref name="token"/> names. For the inbound listener (the mailto
    /// address unsubscribe+&lt;token&gt;@…) as much as for the pages. Null when the token is not valid.
    /// </summary>
    public async Task<UnsubscribeResult?> UnsubscribeAsync(string token, UnsubscribeSource source, CancellationToken ct = default) =>
        await FindAsync(token, ct) is { } recipient ? await UnsubscribeAsync(recipient, source, ct) : null;

    public async Task<UnsubscribeResult> UnsubscribeAsync(UnsubscribeRecipient recipient, UnsubscribeSource source, CancellationToken ct = default)
    {
        using var _ = scope.Enter(recipient.WorkspaceId);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await UnsubscribeOnceAsync(recipient, source, ct);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // The same address unsubscribed at the same moment (two clicks, a client POSTing twice): the other
                // request's suppression row came first. The next round finds it and changes nothing.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<UnsubscribeResult> UnsubscribeOnceAsync(UnsubscribeRecipient r, UnsubscribeSource source, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var contactChanged = r.ContactId is { } contactId && await db.Contacts
            .Where(c => c.Id == contactId && c.Status == ContactStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ContactStatus.Unsubscribed).SetProperty(c => c.UpdatedAt, now), ct) > 0;
        var suppressionAdded = false;
        if (!await db.Suppressions.AnyAsync(s => s.Email == r.Email, ct))
        {
            db.Suppressions.Add(new Suppression
            {
                WorkspaceId = r.WorkspaceId, Email = r.Email, Reason = SuppressionReason.Unsubscribed, CreatedAt = now,
                Detail = $"Unsubscribed ({Describe(source)}) from message {r.MessageIdHeader}.",
            });
            suppressionAdded = true;
        }
        if (!contactChanged && !suppressionAdded)
        {
            await tx.RollbackAsync(ct);
            return UnsubscribeResult.AlreadyUnsubscribed;
        }

        var first = !await db.MessageEvents.AnyAsync(e => e.MessageId == r.MessageId && e.Type == MessageEventType.Unsubscribe, ct);
        db.MessageEvents.Add(new MessageEvent
        {
            WorkspaceId = r.WorkspaceId, MessageId = r.MessageId, CampaignId = r.CampaignId, Type = MessageEventType.Unsubscribe,
            OccurredAt = now, IsUnique = first, Detail = Describe(source),
        });
        await db.SaveChangesAsync(ct);
        await webhooks.EnqueueAsync(r.WorkspaceId, WebhookEventTypes.MessageUnsubscribed,
            new MessageEvents.MessageEventData(r.MessageId, r.MessageIdHeader, r.Email, r.From, r.Subject, "unsubscribed", 0, null, null, now, null), ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        log.LogInformation("Message {Message} of workspace {Workspace}: its recipient unsubscribed ({Source})", r.MessageId, r.WorkspaceId, source);
        return UnsubscribeResult.Unsubscribed;
    }

    /// <summary>
    /// Undoes an unsubscribe the recipient regrets: the contact is Active again and the suppression goes, but only one
    /// an unsubscribe made. A bounce, a complaint or an operator's own suppression stays: the recipient cannot lift those.
    /// Returns whether campaign mail reaches the recipient again.
    /// </summary>
    public async Task<bool> ResubscribeAsync(UnsubscribeRecipient r, CancellationToken ct = default)
    {
        using var _ = scope.Enter(r.WorkspaceId);
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            if (r.ContactId is { } contactId)
                await db.Contacts.Where(c => c.Id == contactId && c.Status == ContactStatus.Unsubscribed)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ContactStatus.Active).SetProperty(c => c.UpdatedAt, now), ct);
            await db.Suppressions.Where(s => s.Email == r.Email && s.Reason == SuppressionReason.Unsubscribed).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }
        var receiving = !await IsStoppedAsync(r, ct);
        log.LogInformation("Message {Message} of workspace {Workspace}: its recipient asked to subscribe again ({Outcome})",
            r.MessageId, r.WorkspaceId, receiving ? "subscribed" : "still stopped by a bounce, complaint or the operator");
        return receiving;
    }

    /// <summary>
    /// Whether campaign mail no longer reaches the recipient: the contact is not Active (unsubscribed, bounced,
    /// complained) or the address is suppressed, whatever the reason.
    /// </summary>
    public async Task<bool> IsStoppedAsync(UnsubscribeRecipient r, CancellationToken ct = default)
    {
        using var _ = scope.Enter(r.WorkspaceId);
        if (r.ContactId is { } contactId && await db.Contacts.AnyAsync(c => c.Id == contactId && c.Status != ContactStatus.Active, ct)) return true;
        return await db.Suppressions.AnyAsync(s => s.Email == r.Email, ct);
    }

    /// <summary>The lists of the workspace the contact is in, by name: all the preferences page shows of the workspace.</summary>
    public async Task<List<ListChoice>> ListsAsync(UnsubscribeRecipient r, CancellationToken ct = default)
    {
        if (r.ContactId is not { } contactId) return [];
        using var _ = scope.Enter(r.WorkspaceId);
        return await db.ListMembers.Where(m => m.ContactId == contactId)
            .OrderBy(m => m.List!.Name).Select(m => new ListChoice(m.ListId, m.List!.Name)).ToListAsync(ct);
    }

    /// <summary>Takes the contact off the lists it is in but not in <paramref name="keep"/>; returns how many it left.</summary>
    public async Task<int> KeepOnlyAsync(UnsubscribeRecipient r, IReadOnlyCollection<long> keep, CancellationToken ct = default)
    {
        if (r.ContactId is not { } contactId) return 0;
        var left = 0;
        foreach (var list in await ListsAsync(r, ct))
        {
            if (keep.Contains(list.Id)) continue;
            using var _ = scope.Enter(r.WorkspaceId);
            // The same write the contact and list pages use, so ContactList.MemberCount stays right.
            if (await ContactWrites.RemoveFromListAsync(db, list.Id, contactId, ct)) left++;
        }
        if (left > 0) log.LogInformation("Message {Message} of workspace {Workspace}: its recipient left {Count} list(s)", r.MessageId, r.WorkspaceId, left);
        return left;
    }

    private static string Describe(UnsubscribeSource source) => source switch
    {
        UnsubscribeSource.OneClick => "one-click (RFC 8058)",
        UnsubscribeSource.Mailto => "mailto",
        _ => "unsubscribe page",
    };
}
