using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>Test data for the sending engine, made through the real services (Outbox, SecretProtector, DkimKeys).</summary>
public static class OutboxBuilders
{
    /// <summary>An active domain (fresh DKIM key) and an SMTP account pointing at 127.0.0.1:port, in a new workspace or <paramref name="inWorkspace"/>.</summary>
    public static async Task<(long WorkspaceId, long AccountId, string PublicKey)> CreateSenderAsync(
        this SendCraftApp app, int port, string domain = "sender.test", int maxConnections = 4, int messagesPerSecond = 10_000,
        SmtpSecurity security = SmtpSecurity.None, string? username = null, string? password = null, bool acceptInvalidCertificate = false,
        int dailyLimit = 0, string workspaceName = "Sending", long? inWorkspace = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<SendCraftDbContext>();
        var secrets = sp.GetRequiredService<SecretProtector>();
        var workspace = inWorkspace is { } existing ? await db.Workspaces.SingleAsync(w => w.Id == existing) : new Workspace { Name = workspaceName };
        if (inWorkspace is null)
        {
            db.Workspaces.Add(workspace);
            await db.SaveChangesAsync();
        }
        using var _ = sp.GetRequiredService<WorkspaceScope>().Enter(workspace.Id);
        var keys = DkimKeys.Generate();
        var sendingDomain = new SendingDomain
        {
            Name = domain, DkimSelector = "sc1", DkimPrivateKeyProtected = secrets.Protect(keys.PrivateKeyPem), DkimPublicKey = keys.PublicKeyBase64,
        };
        db.SendingDomains.Add(sendingDomain);
        await db.SaveChangesAsync();
        var account = new SmtpAccount
        {
            DomainId = sendingDomain.Id, FromEmail = $"news@{domain}", FromName = "Sender Test", Host = "127.0.0.1", Port = port,
            Security = security, Username = username, PasswordProtected = password is null ? null : secrets.Protect(password),
            AcceptInvalidCertificate = acceptInvalidCertificate, MaxConnections = maxConnections, MessagesPerSecond = messagesPerSecond, DailyLimit = dailyLimit,
        };
        db.SmtpAccounts.Add(account);
        await db.SaveChangesAsync();
        return (workspace.Id, account.Id, keys.PublicKeyBase64);
    }

    /// <summary>Queues one email through the real Outbox service in the given workspace.</summary>
    public static async Task<IReadOnlyList<OutboundMessage>> QueueAsync(
        this SendCraftApp app, long workspaceId, long accountId, IEnumerable<string> to, string subject = "Hello",
        string? html = "<p>Hello <b>there</b></p>", string? text = "Hello there", IEnumerable<string>? cc = null, IEnumerable<string>? bcc = null,
        IReadOnlyList<AttachmentInput>? attachments = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
        static List<MailboxAddress> Parse(IEnumerable<string>? list) => (list ?? []).Select(MailboxAddress.Parse).ToList();
        return await scope.ServiceProvider.GetRequiredService<Outbox>().QueueAsync(new OutgoingEmail(
            accountId, Parse(to), Parse(cc), Parse(bcc), subject, html, text, attachments ?? []));
    }

    /// <summary>Queues many one-recipient messages at once, the way a campaign expansion would (bulk insert through EF).</summary>
    public static async Task QueueBulkAsync(this SendCraftApp app, long workspaceId, long accountId, int count, string recipientDomain = "rcpt.test")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
        var account = await db.SmtpAccounts.SingleAsync(a => a.Id == accountId);
        var content = new MessageContent
        {
            FromAddress = account.FromEmail, FromName = account.FromName, ToHeader = "Subscribers <list@" + recipientDomain + ">",
            Subject = "Bulk test", TextBody = new string('x', 1500), HtmlBody = "<p>" + new string('y', 1500) + "</p>",
        };
        db.MessageContents.Add(content);
        await db.SaveChangesAsync();
        var now = DateTime.UtcNow;
        for (var i = 0; i < count; i += 1000)
        {
            db.OutboundMessages.AddRange(Enumerable.Range(i, Math.Min(1000, count - i)).Select(n => new OutboundMessage
            {
                SmtpAccountId = accountId, ContentId = content.Id, Recipient = $"user{n}@{recipientDomain}",
                MessageId = MimeBuilder.NewMessageId(account.FromEmail), DueAt = now, CreatedAt = now,
            }));
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
        scope.ServiceProvider.GetRequiredService<OutboxSignal>().Notify();
    }

    /// <summary>
    /// Straight on the database (for apps in other processes): a workspace, a domain without DKIM, an account on
    /// 127.0.0.1:port with the given limits, and <paramref name="count"/> queued one-recipient messages. Returns the account id.
    /// </summary>
    public static async Task<long> SeedSenderAsync(SendCraftDbContext db, int port, int count, int messagesPerSecond, int maxConnections)
    {
        var workspace = new Workspace { Name = "Seeded" };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        var domain = new SendingDomain { WorkspaceId = workspace.Id, Name = "seeded.test" };
        db.SendingDomains.Add(domain);
        await db.SaveChangesAsync();
        var account = new SmtpAccount
        {
            WorkspaceId = workspace.Id, DomainId = domain.Id, FromEmail = "news@seeded.test", Host = "127.0.0.1", Port = port,
            Security = SmtpSecurity.None, MaxConnections = maxConnections, MessagesPerSecond = messagesPerSecond,
        };
        db.SmtpAccounts.Add(account);
        var content = new MessageContent
        {
            WorkspaceId = workspace.Id, FromAddress = account.FromEmail, ToHeader = "list@rcpt.test", Subject = "Seeded", TextBody = "Hello",
        };
        db.MessageContents.Add(content);
        await db.SaveChangesAsync();
        var now = DateTime.UtcNow;
        db.OutboundMessages.AddRange(Enumerable.Range(0, count).Select(i => new OutboundMessage
        {
            WorkspaceId = workspace.Id, SmtpAccountId = account.Id, ContentId = content.Id, Recipient = $"user{i}@rcpt.test",
            MessageId = MimeBuilder.NewMessageId(account.FromEmail), DueAt = now, CreatedAt = now,
        }));
        await db.SaveChangesAsync();
        return account.Id;
    }

    public static Task<List<OutboundMessage>> MessagesAsync(this SendCraftApp app) =>
        app.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().AsNoTracking().Include(m => m.AttemptLog).OrderBy(m => m.Id).ToListAsync());

    /// <summary>Polls until <paramref name="done"/> holds for the outbox rows, or fails after <paramref name="timeout"/>.</summary>
    public static Task<List<OutboundMessage>> WaitForMessagesAsync(this SendCraftApp app, Func<List<OutboundMessage>, bool> done, TimeSpan? timeout = null) =>
        PollAsync(() => app.QueryAsync(LoadAsync), done, timeout);

    /// <summary>The same, straight on the database: for an app running in another process (AppProcess).</summary>
    public static Task<List<OutboundMessage>> WaitForMessagesAsync(TestDatabase database, Func<List<OutboundMessage>, bool> done, TimeSpan? timeout = null) =>
        PollAsync(async () =>
        {
            await using var db = DirectDb.Open(database);
            return await LoadAsync(db);
        }, done, timeout);

    private static Task<List<OutboundMessage>> LoadAsync(SendCraftDbContext db) =>
        db.OutboundMessages.IgnoreQueryFilters().AsNoTracking().OrderBy(m => m.Id).ToListAsync();

    private static async Task<List<OutboundMessage>> PollAsync(Func<Task<List<OutboundMessage>>> load, Func<List<OutboundMessage>, bool> done, TimeSpan? timeout)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var rows = await load();
            if (done(rows)) return rows;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("Outbox did not reach the expected state: " +
                    string.Join(", ", rows.GroupBy(r => r.Status).Select(g => $"{g.Key}={g.Count()}")) + "; last: " + rows.LastOrDefault()?.LastSmtpResponse);
            await Task.Delay(100);
        }
    }
}
