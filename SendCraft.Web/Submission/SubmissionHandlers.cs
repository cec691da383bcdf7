using System.Buffers;
using MimeKit;
using SendCraft.Web.Api;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace SendCraft.Web.Submission;

/// <summary>
/// The three decisions of an SMTP submission session (RFC 6409), each answered with the reply code clients expect:
/// AUTH PLAIN/LOGIN with an API key of scope "send" as the password (535 otherwise; the user name is not checked);
/// MAIL FROM at an active SMTP account's domain of the key's workspace (553 otherwise); and the message itself, parsed
/// with MimeKit and queued into the same outbox as composed and API mail (250 with the message id, after the rows are
/// committed), so it is DKIM-signed, retried and logged the same way. A sandbox key's mail is logged, never sent.
/// </summary>
internal sealed class SubmissionHandlers(
    ApiKeyAuthenticator keys, IServiceScopeFactory scopes, IOptions<SubmissionOptions> options, ILogger<SubmissionHandlers> log)
    : IUserAuthenticator, IMailboxFilter, IMessageStore
{
    private const string KeyProperty = "sendcraft.key", AccountProperty = "sendcraft.account";

    public async Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken ct)
    {
        var result = await keys.ValidateAsync(password, ct);
        if (result.Key is not { } key)
        {
            log.LogInformation("SMTP submission: authentication refused ({Reason})", result.Failure);
            return false;
        }
        if (!key.Allows(ApiScopes.Send))
        {
            log.LogInformation("SMTP submission: key {KeyId} has no send scope", key.KeyId);
            return false;
        }
        context.Properties[KeyProperty] = key;
        return true;
    }

    public async Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken ct)
    {
        if (size > options.Value.MaxMessageBytes)
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.SizeLimitExceeded, $"5.3.4 Message too big: the limit is {options.Value.MaxMessageBytes} bytes"));
        var key = Key(context);
        var domain = from.Host?.Trim().TrimEnd('.').ToLowerInvariant() ?? "";
        var address = $"{from.User}@{domain}";
        await using var scope = scopes.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(key.WorkspaceId);
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var accounts = await db.SmtpAccounts.AsNoTracking().Where(a => a.IsActive && a.Domain!.IsActive && a.Domain.Name == domain)
            .Select(a => new { a.Id, a.FromEmail }).ToListAsync(ct);
        if (accounts.Count == 0)
        {
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.MailboxNameNotAllowed,
                $"5.7.1 <{address}>: {(domain.Length == 0 ? "an empty sender" : domain)} is not a sending domain with an active SMTP account in this workspace"));
        }
        // The account with exactly this address if there is one, else the domain's first: it carries the DKIM key and limits.
        var account = accounts.FirstOrDefault(a => string.Equals(a.FromEmail, address, StringComparison.OrdinalIgnoreCase)) ?? accounts.OrderBy(a => a.Id).First();
        context.Properties[AccountProperty] = account.Id;
        return true;
    }

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken ct)
    {
        if (context.Properties.TryGetValue("sendcraft.rcpts", out var n) && (int)n >= options.Value.MaxRecipients)
            throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)452, $"4.5.3 Too many recipients: at most {options.Value.MaxRecipients} a message"));
        context.Properties["sendcraft.rcpts"] = n is int count ? count + 1 : 1;
        return Task.FromResult(!string.IsNullOrEmpty(to.User) && !string.IsNullOrEmpty(to.Host));
    }

    public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken ct)
    {
        context.Properties.Remove("sendcraft.rcpts");
        var key = Key(context);
        if (buffer.Length > options.Value.MaxMessageBytes)
            return new SmtpResponse(SmtpReplyCode.SizeLimitExceeded, $"5.3.4 Message too big: the limit is {options.Value.MaxMessageBytes} bytes");
        if (!context.Properties.TryGetValue(AccountProperty, out var accountId))
            return new SmtpResponse(SmtpReplyCode.BadSequence, "5.5.1 MAIL FROM first");

        MimeMessage message;
        try
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            message = await MimeMessage.LoadAsync(stream, ct);
        }
        catch (FormatException e)
        {
            return new SmtpResponse((SmtpReplyCode)554, "5.6.0 The message could not be parsed: " + e.Message);
        }

        var envelope = transaction.To.Select(m => $"{m.User}@{m.Host}".ToLowerInvariant()).Distinct().ToList();
        var inEnvelope = envelope.ToHashSet();
        var to = message.To.Mailboxes.Where(m => inEnvelope.Contains(m.Address.ToLowerInvariant())).ToList();
        var cc = message.Cc.Mailboxes.Where(m => inEnvelope.Contains(m.Address.ToLowerInvariant())).ToList();
        var shown = to.Concat(cc).Select(m => m.Address.ToLowerInvariant()).ToHashSet();
        var bcc = envelope.Where(r => !shown.Contains(r)).Select(r => new MailboxAddress("", r)).ToList();

        // The From header's address when it is at the envelope sender's (checked) domain, else the envelope sender.
        var sender = $"{transaction.From.User}@{transaction.From.Host}";
        var headerFrom = message.From.Mailboxes.FirstOrDefault();
        var fromAddress = headerFrom is not null && string.Equals(DomainNames.DomainOfEmail(headerFrom.Address), transaction.From.Host?.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)
            ? headerFrom.Address : sender;
        var attachments = new List<AttachmentInput>();
        foreach (var part in message.Attachments.OfType<MimePart>())
        {
            await using var data = new MemoryStream();
            if (part.Content is not null) await part.Content.DecodeToAsync(data, ct);
            attachments.Add(new AttachmentInput(part.FileName ?? "attachment", part.ContentType.MimeType, data.ToArray()));
        }
        var email = new OutgoingEmail((long)accountId, to, cc, bcc, message.Subject ?? "", message.HtmlBody, message.TextBody, attachments)
        {
            FromAddress = fromAddress,
            FromName = headerFrom is { Name.Length: > 0 } named ? named.Name : null,
            ReplyTo = message.ReplyTo.Count == 0 ? null : message.ReplyTo.ToString(),
            Sandbox = key.IsSandbox,
            ApiKeyId = key.KeyId,
        };

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(key.WorkspaceId);
            var rows = await scope.ServiceProvider.GetRequiredService<Outbox>().QueueAsync(email, ct);
            return new SmtpResponse(SmtpReplyCode.Ok, $"2.0.0 Ok: queued as {string.Join(",", rows.Select(r => r.Id))}{(key.IsSandbox ? " (sandbox: not transmitted)" : "")}");
        }
        catch (ArgumentException e)
        {
            return new SmtpResponse((SmtpReplyCode)554, "5.6.0 " + e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "SMTP submission: queueing a message failed");
            return new SmtpResponse((SmtpReplyCode)451, "4.3.0 The message could not be queued; try again later");
        }
    }

    private static ApiKeyIdentity Key(ISessionContext context) =>
        context.Properties.TryGetValue(KeyProperty, out var key) && key is ApiKeyIdentity identity
            ? identity
            : throw new SmtpResponseException(SmtpResponse.AuthenticationRequired);
}
