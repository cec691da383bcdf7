using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Templating;
using SendCraft.Web.Unsubscribe;
using SendCraft.Web.Webhooks;

namespace SendCraft.Web.Api;

/// <summary>
/// Validates API messages and writes them to the durable outbox of the key's workspace: one content row per message,
/// one outbox row per recipient, in the same shape as <see cref="Outbox.QueueAsync"/> (which the pages use) but for
/// many messages in one unit of work (a batch is one transaction) and with the API's extras (reply-to, headers, tags,
/// metadata, send_at, templates). Mail of a sandbox key is written as <see cref="MessageStatus.Sandboxed"/>: logged like
/// live mail, never claimable by a worker, so it never reaches SMTP.
/// </summary>
public sealed partial class ApiMessageWriter(
    SendCraftDbContext db, ApiSenders senders, TemplateRenderer renderer, OutboxSignal signal, WebhookEvents webhooks, TimeProvider clock, IOptions<ApiOptions> options)
{
    public const int MaxTags = 10;
    public const int MaxMetadataBytes = 4096;
    public static readonly TimeSpan MaxSchedule = TimeSpan.FromDays(30);

    /// <summary>Headers SendCraft writes itself, or that would change who gets the mail or how it is read.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To-Internal", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID", "DKIM-Signature", "Received",
        "Return-Path", "Return-Receipt-To", "Disposition-Notification-To", "List-Unsubscribe", "List-Unsubscribe-Post",
        "Resent-From", "Resent-To", "Resent-Cc", "Resent-Bcc", "Resent-Date", "Resent-Sender", "Resent-Message-ID",
        "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results", "Authentication-Results",
    };

    /// <summary>One validated message, ready to write; or its errors.</summary>
    public sealed record Prepared(MessageContent? Content, List<OutboundMessage> Rows, Dictionary<string, string[]>? Errors);

    /// <summary>
    /// Validates and builds the rows of each request (not saved yet). Errors are keyed by JSON path, prefixed with
    /// <paramref name="pathPrefix"/> (e.g. "messages[3].") for batches.
    /// </summary>
    public async Task<List<Prepared>> PrepareAsync(IReadOnlyList<SendMessageRequest> requests, ApiKeyIdentity key, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var accounts = await senders.ActiveAsync(db, key.WorkspaceId, known => requests.All(r => Names(r, known)), ct);

        var templateIds = requests.Where(r => r.TemplateId is not null).Select(r => r.TemplateId!.Value).Distinct().ToList();
        var templates = templateIds.Count == 0
            ? new Dictionary<long, EmailTemplate>()
            : await db.EmailTemplates.AsNoTracking().Where(t => templateIds.Contains(t.Id) && t.IsActive).ToDictionaryAsync(t => t.Id, ct);

        var prepared = new List<Prepared>(requests.Count);
        foreach (var request in requests)
            prepared.Add(await PrepareOneAsync(request, key, accounts, templates, now));

        // One suppression query for every recipient of every message.
        var recipients = prepared.SelectMany(p => p.Rows).Select(r => r.Recipient).Distinct().ToList();
        if (recipients.Count > 0)
        {
            // An unsubscribe stops campaign mail only (SuppressionScope): API mail still goes to that address.
            var suppressed = (await db.Suppressions.AsNoTracking().Where(s => recipients.Contains(s.Email)).Where(SuppressionScope.StopsTransactional).Select(s => s.Email).ToListAsync(ct)).ToHashSet();
            foreach (var row in prepared.SelectMany(p => p.Rows).Where(r => suppressed.Contains(r.Recipient)))
            {
                row.Status = MessageStatus.Suppressed;
                row.SentAt = null;
                row.LastSmtpResponse = "Not sent: the address is on the suppression list.";
            }
        }
        return prepared;
    }

    /// <summary>
    /// Adds the valid messages' rows to the context and saves them with their message.queued webhooks (inside the
    /// caller's transaction when there is one), through the same path as the pages' mail.
    /// </summary>
    public async Task SaveAsync(IReadOnlyList<Prepared> valid, ApiKeyIdentity key, CancellationToken ct)
    {
        var rows = valid.SelectMany(p => p.Rows).ToList();
        db.OutboundMessages.AddRange(rows);
        await Outbox.SaveWithQueuedWebhooksAsync(db, webhooks, key.WorkspaceId, rows, ct);
    }

    /// <summary>Wakes the workers; call after the commit.</summary>
    public void Notify() => signal.Notify();

    private async Task<Prepared> PrepareOneAsync(SendMessageRequest r, ApiKeyIdentity key, IReadOnlyList<ApiSender> accounts,
        Dictionary<long, EmailTemplate> templates, DateTime now)
    {
        var errors = new Dictionary<string, List<string>>();
        void Error(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }

        // Sender: an active SMTP account of the workspace, by id or by its from address.
        ApiSender? account = null;
        if (r.From is { } from) CheckAddress(from, "from", Error, required: r.SmtpAccountId is null);
        if (r.SmtpAccountId is { } accountId)
        {
            account = accounts.FirstOrDefault(a => a.Id == accountId);
            if (account is null) Error("smtp_account_id", "No active SMTP account with this id in this workspace.");
            else if (r.From?.Address is { Length: > 0 } fa && !string.Equals(fa.Trim(), account.FromEmail, StringComparison.OrdinalIgnoreCase))
                Error("from.address", $"This SMTP account sends as {account.FromEmail}.");
        }
        else if (r.From?.Address is { Length: > 0 } address)
        {
            account = accounts.FirstOrDefault(a => string.Equals(a.FromEmail, address.Trim(), StringComparison.OrdinalIgnoreCase));
            if (account is null && !errors.ContainsKey("from.address"))
                Error("from.address", "Not the address of an active SMTP account of this workspace (see the SMTP accounts page).");
        }
        else if (r.From is null)
        {
            Error("from", "Required: the sender's address (an SMTP account's from address), or smtp_account_id.");
        }

        var to = Addresses(r.To, "to", Error);
        var cc = Addresses(r.Cc, "cc", Error);
        var bcc = Addresses(r.Bcc, "bcc", Error);
        var replyTo = Addresses(r.ReplyTo, "reply_to", Error);
        if (r.To is null || r.To.Count == 0) Error("to", "At least one recipient is required.");
        var max = options.Value.MaxRecipients;
        if (to.Count + cc.Count + bcc.Count > max) Error("to", $"At most {max} recipients (to, cc and bcc together) per message; use a batch for more.");

        // Content: explicit, or rendered from a template.
        string? subject = r.Subject, html = r.Html, text = r.Text;
        if (subject is not null && !HeaderGuard.IsSafe(subject)) Error("subject", "The subject must be one line (no CR or LF).");
        if (subject is { Length: > 998 }) Error("subject", "At most 998 characters.");
        if (r.TemplateId is { } templateId)
        {
            if (html is not null || text is not null) Error("template_id", "Give template_id or html/text, not both.");
            else if (!templates.TryGetValue(templateId, out var template)) Error("template_id", "No active template with this id in this workspace.");
            else
            {
                var variables = r.Variables is null ? new Dictionary<string, object?>()
                    : SampleData.Parse(JsonSerializer.Serialize(r.Variables), out _) ?? new Dictionary<string, object?>();
                try
                {
                    var rendered = await renderer.RenderAsync(new TemplateVersion(template.Id, template.Version),
                        new TemplateSource(template.Subject, template.HtmlBody, template.TextBody), new Dictionary<string, object?>(), variables);
                    subject ??= rendered.Subject;
                    html = string.IsNullOrWhiteSpace(rendered.Html) ? null : rendered.Html;
                    text = string.IsNullOrWhiteSpace(rendered.Text) ? null : rendered.Text;
                }
                catch (TemplateSyntaxException e)
                {
                    Error("template_id", "The template does not compile: " + string.Join("; ", e.Errors.Select(x => x.ToString())));
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
                {
                    Error("variables", "The template could not be rendered with these variables: " + e.Message);
                }
            }
        }
        else if (r.Variables is not null)
        {
            Error("variables", "Variables are only used with template_id.");
        }
        if (string.IsNullOrWhiteSpace(subject) && !errors.ContainsKey("template_id")) Error("subject", "Required (or use a template).");
        if (string.IsNullOrWhiteSpace(html) && string.IsNullOrWhiteSpace(text) && r.TemplateId is null) Error("html", "Give html, text or both (or template_id).");

        var attachments = Attachments(r.Attachments, Error);
        var headers = Headers(r.Headers, Error);
        var tags = Tags(r.Tags, Error);
        string? metadata = null;
        if (r.Metadata is not null)
        {
            metadata = JsonSerializer.Serialize(r.Metadata);
            if (metadata.Length > MaxMetadataBytes) Error("metadata", $"At most {MaxMetadataBytes} bytes as JSON.");
        }
        var due = now;
        if (r.SendAt is { } sendAt)
        {
            var at = sendAt.UtcDateTime;
            if (at > now + MaxSchedule) Error("send_at", "At most 30 days ahead.");
            else if (at > now) due = at;
        }

        if (errors.Count > 0) return new Prepared(null, [], errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

        var content = new MessageContent
        {
            FromAddress = account!.FromEmail,
            FromName = string.IsNullOrWhiteSpace(r.From?.Name) ? account.FromName : r.From!.Name!.Trim(),
            ToHeader = string.Join(", ", to.Select(a => a.ToString())),
            CcHeader = cc.Count == 0 ? null : string.Join(", ", cc.Select(a => a.ToString())),
            ReplyTo = replyTo.Count == 0 ? null : string.Join(", ", replyTo.Select(a => a.ToString())),
            Subject = subject!.Trim(),
            HtmlBody = string.IsNullOrWhiteSpace(html) ? null : html,
            TextBody = string.IsNullOrWhiteSpace(text) ? null : text,
            CustomHeaders = headers,
            Tags = tags,
            Metadata = metadata,
            ApiKeyId = key.KeyId,
            TrackOpens = r.TrackOpens ?? false,
            TrackClicks = r.TrackClicks ?? false,
            CreatedAt = now,
            Attachments = attachments,
        };
        var rows = to.Concat(cc).Concat(bcc).Select(a => a.Address.Trim().ToLowerInvariant()).Distinct()
            .Select(recipient => new OutboundMessage
            {
                SmtpAccountId = account.Id,
                Content = content,
                Recipient = recipient,
                MessageId = MimeBuilder.NewMessageId(account.FromEmail),
                Status = key.IsSandbox ? MessageStatus.Sandboxed : MessageStatus.Queued,
                SentAt = key.IsSandbox ? due : null,
                LastSmtpResponse = key.IsSandbox ? "Sandbox key: accepted and logged, not transmitted." : null,
                DueAt = due,
                CreatedAt = now,
            }).ToList();
        return new Prepared(content, rows, null);
    }

    /// <summary>Whether the sender a request names (by account id or from address) is among <paramref name="known"/>.</summary>
    private static bool Names(SendMessageRequest r, IReadOnlyList<ApiSender> known) =>
        r.SmtpAccountId is { } id ? known.Any(a => a.Id == id)
        : r.From?.Address is not { Length: > 0 } address || known.Any(a => string.Equals(a.FromEmail, address.Trim(), StringComparison.OrdinalIgnoreCase));

    private static void CheckAddress(AddressDto a, string path, Action<string, string> error, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(a.Address))
        {
            if (required) error(path + ".address", "Required.");
            return;
        }
        var address = a.Address.Trim();
        if (!HeaderGuard.IsSafe(address) || address.Length > 254 || !IsMailbox(address))
            error(path + ".address", $"\"{Shorten(address)}\" is not a valid email address.");
        if (a.Name is not null && (!HeaderGuard.IsSafe(a.Name) || a.Name.Length > 100))
            error(path + ".name", "At most 100 characters on one line.");
    }

    private static List<MailboxAddress> Addresses(List<AddressDto>? list, string path, Action<string, string> error)
    {
        var result = new List<MailboxAddress>();
        if (list is null) return result;
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (a is null) { error($"{path}[{i}]", "Must be an object with address (and name)."); continue; }
            var before = result.Count;
            var ok = true;
            CheckAddress(a, $"{path}[{i}]", (f, m) => { ok = false; error(f, m); });
            if (ok && before == result.Count) result.Add(new MailboxAddress(a.Name?.Trim() ?? "", a.Address!.Trim()));
        }
        return result;
    }

    /// <summary>One addr-spec with a dotted domain (MimeKit parses it; "a@b" without a dot is refused as the pages do).</summary>
    private static bool IsMailbox(string address)
    {
        if (!MailboxAddress.TryParse(address, out var parsed) || parsed.Address != address) return false;
        var at = address.LastIndexOf('@');
        return at > 0 && at < address.Length - 1 && address[(at + 1)..].Contains('.') && !address.Contains(' ');
    }

    private List<MessageAttachment> Attachments(List<AttachmentDto>? list, Action<string, string> error)
    {
        var result = new List<MessageAttachment>();
        if (list is null) return result;
        long total = 0;
        var limit = options.Value.MaxAttachmentBytes;
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            var path = $"attachments[{i}]";
            if (a is null) { error(path, "Must be an object with filename and content."); continue; }
            var name = a.Filename?.Trim();
            if (string.IsNullOrEmpty(name)) error(path + ".filename", "Required.");
            else if (!HeaderGuard.IsSafe(name) || name.Length > 255 || name.IndexOfAny(['/', '\\', '"']) >= 0)
                error(path + ".filename", "One line of at most 255 characters, without / \\ or \".");
            var type = string.IsNullOrWhiteSpace(a.ContentType) ? "application/octet-stream" : a.ContentType.Trim();
            if (!HeaderGuard.IsSafe(type) || type.Length > 127 || !ContentType.TryParse(type, out _))
                error(path + ".content_type", "Not a MIME type such as application/pdf.");
            if (string.IsNullOrEmpty(a.Content)) { error(path + ".content", "Required: the file, base64-encoded."); continue; }
            byte[] data;
            try { data = Convert.FromBase64String(a.Content); }
            catch (FormatException) { error(path + ".content", "Not valid base64."); continue; }
            total += data.Length;
            if (total > limit) error(path + ".content", $"Attachments exceed {limit:N0} bytes in all (after base64 decoding).");
            if (!string.IsNullOrEmpty(name)) result.Add(new MessageAttachment { FileName = name, ContentType = type, Data = data });
        }
        return result;
    }

    private static string? Headers(Dictionary<string, string>? headers, Action<string, string> error)
    {
        if (headers is null || headers.Count == 0) return null;
        if (headers.Count > 50) error("headers", "At most 50 headers.");
        foreach (var (name, value) in headers)
        {
            var path = $"headers.{name}";
            if (!HeaderName().IsMatch(name)) error(path, "Not a valid header name (letters, digits and '-', at most 76 characters).");
            else if (ReservedHeaders.Contains(name)) error(path, "SendCraft writes this header itself; it cannot be set.");
            if (value is null || !HeaderGuard.IsSafe(value)) error(path, "The value must be one line (no CR or LF).");
            else if (value.Length > 998) error(path, "At most 998 characters.");
        }
        return JsonSerializer.Serialize(headers);
    }

    private static string? Tags(List<string>? tags, Action<string, string> error)
    {
        if (tags is null || tags.Count == 0) return null;
        if (tags.Count > MaxTags) error("tags", $"At most {MaxTags} tags.");
        for (var i = 0; i < tags.Count; i++)
            if (tags[i] is null || !Tag().IsMatch(tags[i])) error($"tags[{i}]", "1 to 64 letters, digits, '_', '-', '.' or ':'.");
        return JsonSerializer.Serialize(tags.Distinct().ToList());
    }

    private static string Shorten(string s) => s.Length <= 60 ? s.Replace("\r", "\\r").Replace("\n", "\\n") : s[..60] + "…";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,75}$")]
    private static partial Regex HeaderName();

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,64}$")]
    internal static partial Regex Tag();
}
