using SendCraft.Web.Data;
using SendCraft.Web.Sending;

namespace SendCraft.Web.Webhooks;

/// <summary>The data of message.* events, built from an outbox row (the same shape for every message event type).</summary>
public static class MessageEvents
{
    public static WebhookEvent Queued(OutboundMessage m, MessageContent content) =>
        new(m.WorkspaceId, WebhookEventTypes.MessageQueued, Data(m, content, "queued", null, null, null));

    /// <summary>The events of a recorded outcome: sent, deferred or failed, plus bounced when the address was found not to exist.</summary>
    public static IEnumerable<WebhookEvent> Outcome(OutboundMessage m, SmtpOutcome outcome, int attempts, DateTime finishedAt, DateTime? nextAttemptAt)
    {
        var (type, status) = outcome.Kind switch
        {
            OutcomeKind.Sent => (WebhookEventTypes.MessageSent, "sent"),
            OutcomeKind.Deferred => (WebhookEventTypes.MessageDeferred, "deferred"),
            _ => (WebhookEventTypes.MessageFailed, "failed"),
        };
        var data = Data(m, m.Content, status, outcome, attempts, finishedAt) with { NextAttemptAt = nextAttemptAt };
        yield return new(m.WorkspaceId, type, data);
        if (outcome.Kind == OutcomeKind.Failed && outcome.SuppressRecipient)
            yield return new(m.WorkspaceId, WebhookEventTypes.MessageBounced, data with { Status = "bounced" });
    }

    private static MessageEventData Data(OutboundMessage m, MessageContent? content, string status, SmtpOutcome? outcome, int? attempts, DateTime? at) => new(
        m.Id, m.MessageId, m.Recipient, content?.FromAddress, content?.Subject, status, attempts ?? m.Attempts,
        outcome?.Code, outcome?.Response, at, null);

    /// <summary>Serialized in snake_case: id, message_id, recipient, from, subject, status, attempts, smtp_code, smtp_response, at, next_attempt_at.</summary>
    public sealed record MessageEventData(
        long Id, string MessageId, string Recipient, string? From, string? Subject, string Status, int Attempts,
        int? SmtpCode, string? SmtpResponse, DateTime? At, DateTime? NextAttemptAt);
}
