using System.Buffers;
using System.Net;
using System.Security.Authentication;
using Microsoft.Extensions.Options;
using SendCraft.Web.Submission;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace SendCraft.Web.Inbound;

/// <summary>
/// The SMTP decisions of the inbound listener (the MX of the bounce and reply domains): no AUTH (other servers deliver
/// here, as to any MX); RCPT only for our addresses (<see cref="InboundAddresses"/>), 550 5.1.1 for any other, so
/// it is never an open relay; the size limit (552); then the message goes to <see cref="InboundProcessor"/>. A message
/// we accepted is stored whatever it contains; only a database failure answers 451, so the sender tries again.
/// </summary>
internal sealed class InboundHandlers(InboundAddresses addresses, InboundProcessor processor, IOptions<InboundOptions> options, ILogger<InboundHandlers> log)
    : IMailboxFilter, IMessageStore
{
    private const string RecipientCount = "sendcraft.inbound.rcpts";

    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken ct)
    {
        if (size > options.Value.MaxMessageBytes)
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.SizeLimitExceeded, $"5.3.4 Message too big: the limit is {options.Value.MaxMessageBytes} bytes"));
        context.Properties.Remove(RecipientCount);
        return Task.FromResult(true); // bounces come from the null sender <>; any sender may answer
    }

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken ct)
    {
        var address = $"{to.User}@{to.Host}";
        if (addresses.Route(address) is null)
        {
            log.LogInformation("Inbound: refused RCPT {Address}", address);
            throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.MailboxUnavailable, $"5.1.1 <{address}>: no such recipient here"));
        }
        var count = context.Properties.TryGetValue(RecipientCount, out var n) ? (int)n : 0;
        if (count >= options.Value.MaxRecipients)
            throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)452, $"4.5.3 Too many recipients: at most {options.Value.MaxRecipients} a message"));
        context.Properties[RecipientCount] = count + 1;
        return Task.FromResult(true);
    }

    public async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken ct)
    {
        context.Properties.Remove(RecipientCount);
        if (buffer.Length > options.Value.MaxMessageBytes)
            return new SmtpResponse(SmtpReplyCode.SizeLimitExceeded, $"5.3.4 Message too big: the limit is {options.Value.MaxMessageBytes} bytes");
        var routes = transaction.To.Select(m => addresses.Route($"{m.User}@{m.Host}")).OfType<InboundRoute>().ToList();
        if (routes.Count == 0) return new SmtpResponse(SmtpReplyCode.BadSequence, "5.5.1 RCPT first");
        var from = transaction.From is { } f && !string.IsNullOrEmpty(f.User) ? $"{f.User}@{f.Host}" : "";
        try
        {
            var summary = await processor.ProcessAsync(from, routes, buffer.ToArray(), ct);
            return new SmtpResponse(SmtpReplyCode.Ok, "2.0.0 Ok: " + summary);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            log.LogError(e, "Inbound: storing a message failed; the sender will try again");
            return new SmtpResponse((SmtpReplyCode)451, "4.3.0 The message could not be stored; try again later");
        }
    }
}

/// <summary>
/// The inbound SMTP listener (hosted service, the SmtpServer package), off unless Inbound:Enabled. STARTTLS is offered
/// when a certificate is configured, never required (servers delivering to an MX fall back to plain text).
/// </summary>
internal sealed class InboundServer(InboundHandlers handlers, IOptions<InboundOptions> options, ILogger<InboundServer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        var certificate = SubmissionServer.LoadCertificate(o.CertificatePath, o.CertificateKeyPath, o.CertificatePassword);
        var builder = new SmtpServerOptionsBuilder()
            .ServerName(o.ServerName)
            .MaxMessageSize(o.MaxMessageBytes, MaxMessageSizeHandling.Strict)
            .Endpoint(e =>
            {
                e.Endpoint(new IPEndPoint(IPAddress.Parse(o.Address), o.Port)).SessionTimeout(TimeSpan.FromMinutes(5));
                if (certificate is not null) e.Certificate(certificate).SupportedSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
            });
        var provider = new SmtpServer.ComponentModel.ServiceProvider();
        provider.Add((IMailboxFilter)handlers);
        provider.Add((IMessageStore)handlers);
        var server = new SmtpServer.SmtpServer(builder.Build(), provider);
        log.LogInformation("Inbound SMTP listening on {Address}:{Port} for {BounceDomain} and {ReplyDomain} (STARTTLS {Tls})",
            o.Address, o.Port, o.EffectiveBounceDomain, o.EffectiveReplyDomain, certificate is null ? "off" : "on");
        await server.StartAsync(stoppingToken);
    }
}

public static class InboundSetup
{
    public static IServiceCollection AddSendCraftInbound(this IServiceCollection services)
    {
        services.AddOptions<InboundOptions>().BindConfiguration(InboundOptions.Section).ValidateDataAnnotations()
            .Validate(o => !o.Enabled || IPAddress.TryParse(o.Address, out _), "Inbound:Address must be an IP address (0.0.0.0 for every interface).")
            .Validate(o => !o.Enabled || o.EffectiveBounceDomain is not null || o.EffectiveReplyDomain is not null,
                "Inbound:Enabled needs a domain to receive for: set Inbound:BounceDomain (and optionally Inbound:ReplyDomain).")
            .Validate(o => o.EffectiveBounceDomain is null || Uri.CheckHostName(o.EffectiveBounceDomain) == UriHostNameType.Dns, "Inbound:BounceDomain must be a domain name.")
            .Validate(o => o.EffectiveReplyDomain is null || Uri.CheckHostName(o.EffectiveReplyDomain) == UriHostNameType.Dns, "Inbound:ReplyDomain must be a domain name.")
            .Validate(o => !o.Enabled || string.IsNullOrWhiteSpace(o.CertificatePath) || File.Exists(o.CertificatePath),
                "Inbound:CertificatePath names a file that does not exist.")
            .ValidateOnStart();
        services.AddSingleton<InboundAddresses>();
        services.AddSingleton<InboundProcessor>();
        services.AddSingleton<InboundHandlers>();
        services.AddHostedService<InboundServer>();
        return services;
    }
}
