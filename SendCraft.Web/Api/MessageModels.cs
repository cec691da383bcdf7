using System.ComponentModel;
using System.Text.Json;
using SendCraft.Web.Data;

namespace SendCraft.Web.Api;

/// <summary>An email address with an optional display name.</summary>
public sealed class AddressDto
{
    [Description("The email address, e.g. ada@example.com.")] public string? Address { get; set; }
    [Description("Display name, e.g. Ada Lovelace.")] public string? Name { get; set; }
}

public sealed class AttachmentDto
{
    [Description("File name shown to the recipient, e.g. invoice-1042.pdf.")] public string? Filename { get; set; }
    [Description("MIME type; application/octet-stream when omitted.")] public string? ContentType { get; set; }
    [Description("The file, base64-encoded.")] public string? Content { get; set; }
}

/// <summary>One message to queue. Give subject with html and/or text, or template_id (and variables).</summary>
public sealed class SendMessageRequest
{
    [Description("Sender: must be the from address of an active SMTP account of the workspace (or give smtp_account_id). Its name overrides the account's.")]
    public AddressDto? From { get; set; }
    [Description("The SMTP account to send through; optional when from names its address.")]
    public long? SmtpAccountId { get; set; }
    public List<AddressDto>? To { get; set; }
    public List<AddressDto>? Cc { get; set; }
    [Description("Envelope recipients that do not appear in the headers.")]
    public List<AddressDto>? Bcc { get; set; }
    public List<AddressDto>? ReplyTo { get; set; }
    public string? Subject { get; set; }
    public string? Html { get; set; }
    public string? Text { get; set; }
    [Description("A template of the workspace, rendered (Liquid) with variables; its subject is used unless subject is given.")]
    public long? TemplateId { get; set; }
    [Description("Values for the template's {{ variables }}.")]
    public Dictionary<string, JsonElement>? Variables { get; set; }
    public List<AttachmentDto>? Attachments { get; set; }
    [Description("Extra headers, e.g. {\"X-Order\": \"1042\"}. No line breaks; headers SendCraft writes itself (From, To, Subject, Message-ID, DKIM-Signature, Content-*, …) are refused.")]
    public Dictionary<string, string>? Headers { get; set; }
    [Description("Up to 10 tags (letters, digits, '_', '-', '.', ':'), for filtering GET /messages.")]
    public List<string>? Tags { get; set; }
    [Description("Your own data, returned with the message (at most 4 KB as JSON).")]
    public Dictionary<string, JsonElement>? Metadata { get; set; }
    [Description("Send at this time (UTC, at most 30 days ahead) instead of now.")]
    public DateTimeOffset? SendAt { get; set; }
    [Description("Add an open-tracking pixel to the HTML part. Off unless true: API mail is mostly transactional (receipts, password resets), where tracking is opt-in.")]
    public bool? TrackOpens { get; set; }
    [Description("Rewrite the HTML part's http(s) links to signed click-tracking URLs (original URLs kept for the redirect and the report; links with a data-sc-no-track attribute are left alone). Off unless true.")]
    public bool? TrackClicks { get; set; }
}

public sealed class BatchRequest
{
    [Description("Up to 500 messages, each as in POST /messages.")]
    public List<SendMessageRequest>? Messages { get; set; }
}

/// <summary>One outbox row: the message to one recipient.</summary>
public sealed record QueuedMessage(long Id, string Recipient, string Status, string MessageId);

public sealed record SendMessageResponse(IReadOnlyList<QueuedMessage> Messages, bool Sandbox);

public sealed record BatchItemResult(int Index, string Status, IReadOnlyList<QueuedMessage>? Messages, IDictionary<string, string[]>? Errors);

public sealed record BatchResponse(int Queued, int Rejected, IReadOnlyList<BatchItemResult> Results, bool Sandbox);

public sealed record MessageAttemptView(DateTime StartedAt, DateTime FinishedAt, string Outcome, int? SmtpCode, string Response);

public sealed record MessageView(
    long Id, string Status, string Recipient, string MessageId, string From, string Subject, DateTime CreatedAt, DateTime DueAt,
    DateTime? SentAt, int Attempts, int? LastSmtpCode, string? LastSmtpResponse, IReadOnlyList<string> Tags,
    JsonElement? Metadata, IReadOnlyList<MessageAttemptView>? Events);

public sealed record MessageList(IReadOnlyList<MessageView> Data, string? NextCursor);

public static class MessageStatusNames
{
    public static string Of(MessageStatus s) => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString());
}
