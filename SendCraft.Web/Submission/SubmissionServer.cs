using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using SmtpServer;

namespace SendCraft.Web.Submission;

/// <summary>
/// The SMTP submission listener (hosted service, the SmtpServer package): applications that can only speak SMTP hand
/// their mail to SendCraft here. AUTH is required before MAIL (530), and offered only after STARTTLS unless
/// Submission:RequireTls is off. It stops with the application.
/// </summary>
internal sealed class SubmissionServer(SubmissionHandlers handlers, IOptions<SubmissionOptions> options, ILogger<SubmissionServer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        var certificate = LoadCertificate(o);
        var builder = new SmtpServerOptionsBuilder()
            .ServerName(o.ServerName)
            .MaxMessageSize(o.MaxMessageBytes, MaxMessageSizeHandling.Strict)
            .MaxAuthenticationAttempts(3)
            .Endpoint(e =>
            {
                e.Endpoint(new IPEndPoint(IPAddress.Parse(o.Address), o.Port))
                    .AuthenticationRequired()
                    .AllowUnsecureAuthentication(!o.RequireTls)
                    .SessionTimeout(TimeSpan.FromMinutes(5));
                if (certificate is not null) e.Certificate(certificate).SupportedSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
            });
        var provider = new SmtpServer.ComponentModel.ServiceProvider();
        provider.Add((SmtpServer.Authentication.IUserAuthenticator)handlers);
        provider.Add((SmtpServer.Storage.IMailboxFilter)handlers);
        provider.Add((SmtpServer.Storage.IMessageStore)handlers);
        var server = new SmtpServer.SmtpServer(builder.Build(), provider);
        log.LogInformation("SMTP submission listening on {Address}:{Port} (STARTTLS {Tls})", o.Address, o.Port, certificate is null ? "off" : "on");
        await server.StartAsync(stoppingToken);
    }

    internal static X509Certificate2? LoadCertificate(SubmissionOptions o) => LoadCertificate(o.CertificatePath, o.CertificateKeyPath, o.CertificatePassword);

    /// <summary>A listener's certificate (submission and inbound): a .pfx with its password, or a PEM certificate and key.</summary>
    internal static X509Certificate2? LoadCertificate(string? path, string? keyPath, string? password)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        if (!string.IsNullOrWhiteSpace(keyPath))
        {
            // A PEM pair: re-imported as PKCS#12 so SslStream on Linux can use its key.
            using var pem = X509Certificate2.CreateFromPemFile(path, keyPath);
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        return X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }
}

public static class SubmissionSetup
{
    public static IServiceCollection AddSmtpSubmission(this IServiceCollection services)
    {
        services.AddOptions<SubmissionOptions>().BindConfiguration(SubmissionOptions.Section).ValidateDataAnnotations()
            .Validate(o => !o.Enabled || IPAddress.TryParse(o.Address, out _), "Submission:Address must be an IP address (0.0.0.0 for every interface).")
            .Validate(o => !o.Enabled || !o.RequireTls || !string.IsNullOrWhiteSpace(o.CertificatePath),
                "Submission:RequireTls needs a certificate for STARTTLS: set Submission:CertificatePath.")
            .Validate(o => !o.Enabled || string.IsNullOrWhiteSpace(o.CertificatePath) || File.Exists(o.CertificatePath),
                "Submission:CertificatePath names a file that does not exist.")
            .ValidateOnStart();
        services.AddSingleton<SubmissionHandlers>();
        services.AddHostedService<SubmissionServer>();
        return services;
    }
}
