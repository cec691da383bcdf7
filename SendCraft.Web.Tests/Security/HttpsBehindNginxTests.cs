using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Security;

/// <summary>
/// The built app in Production behind a real Nginx that terminates TLS (the committed site file with a listener as
/// certbot makes it, and a throwaway self-signed certificate): cookies set over https are Secure and HSTS is sent,
/// because the app believes the trusted proxy's X-Forwarded-Proto; the same app asked over plain http directly sets
/// no Secure cookie and no HSTS.
/// </summary>
public sealed class HttpsBehindNginxTests
{
    private const string PublicHost = "mail.example.test"; // not localhost: UseHsts leaves loopback names out

    [Fact]
    public async Task OverHttpsThroughNginx_CookiesAreSecureAndHstsIsSent_OverPlainHttpDirectly_Neither()
    {
        var (certificate, key) = SelfSignedPem();
        try { await RunAsync(certificate, key); }
        finally { Directory.Delete(Path.GetDirectoryName(certificate)!, recursive: true); }
    }

    private static async Task RunAsync(string certificate, string key)
    {
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database:Provider"] = "Sqlite", // MySql is Production's default provider
            ["DataProtection:CertificatePath"] = TestCertificates.Pfx(),
            ["Sending:WorkersEnabled"] = "false",
        });
        await using var nginx = await NginxProcess.StartAsync(app.Port, (certificate, key));
        Assert.Equal("https", nginx.BaseAddress.Scheme);
        Assert.Contains("Hosting environment: Production", app.Output);

        var https = new WebSession(new HttpClient(new HttpClientHandler
        {
            AllowAutoRedirect = false, UseCookies = true,
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        }) { BaseAddress = nginx.BaseAddress, Timeout = TimeSpan.FromSeconds(30), DefaultRequestHeaders = { Host = $"{PublicHost}:{nginx.Port}" } });

        // The setup page (antiforgery cookie), setup itself (authentication cookie), a new workspace (workspace cookie).
        var setupPage = await https.GetAsync("/Setup");
        Assert.True(setupPage.StatusCode == HttpStatusCode.OK, $"{(int)setupPage.StatusCode}\n{nginx.ErrorLog}\n{app.OutputTail()}");
        var cookies = SetCookies(setupPage);
        Assert.Equal("max-age=31536000", Header(setupPage, "Strict-Transport-Security"));
        Assert.Empty(SecurityHeadersTests.Problems(setupPage));

        var setup = await https.SubmitFormAsync("/Setup", new()
        {
            ["Input.DisplayName"] = "Olivia Owner", ["Input.Email"] = "owner@example.test",
            ["Input.Password"] = SendCraftApp.OwnerPassword, ["Input.ConfirmPassword"] = SendCraftApp.OwnerPassword,
            ["Input.WorkspaceName"] = "Acme",
        });
        Assert.True(setup.Headers.Location?.OriginalString == "/", $"Setup over https answered {(int)setup.StatusCode}\n{app.OutputTail()}");
        cookies.AddRange(SetCookies(setup));
        var created = await https.SubmitFormAsync("/Workspaces/New", new() { ["Name"] = "Second" });
        cookies.AddRange(SetCookies(created));
        Assert.Equal("max-age=31536000", Header(created, "Strict-Transport-Security"));

        foreach (var name in new[] { ".AspNetCore.Antiforgery.", "SendCraft.Auth=", "SendCraft.Workspace=" })
            Assert.Contains(cookies, c => c.StartsWith(name, StringComparison.Ordinal));
        foreach (var cookie in cookies)
        {
            var attributes = SecurityHeadersTests.CookieAttributes(cookie);
            Assert.True(attributes.Contains("secure") && attributes.Contains("httponly"), cookie);
            Assert.True(attributes.Contains("samesite=lax") || attributes.Contains("samesite=strict"), cookie);
        }

        // Nginx serves /lib, /css and /js from disk itself: the same protections, with the app's exact values.
        var page = await https.GetAsync("/");
        var script = await https.GetAsync("/lib/htmx/htmx.min.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Empty(SecurityHeadersTests.Problems(script));
        foreach (var header in new[] { "Content-Security-Policy", "Permissions-Policy", "Referrer-Policy", "X-Frame-Options" })
            Assert.Equal(Header(page, header), Header(script, header));

        // The same app over plain http, straight to Kestrel: nothing claims https, so no Secure cookie and no HSTS.
        using var direct = app.CreateClient();
        direct.DefaultRequestHeaders.Host = PublicHost;
        var plain = new WebSession(direct);
        var login = await plain.GetAsync("/Account/Login");
        Assert.Null(Header(login, "Strict-Transport-Security"));
        Assert.Empty(SecurityHeadersTests.Problems(login));
        var signIn = await plain.SubmitFormAsync("/Account/Login", new()
        {
            ["Input.Email"] = "owner@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword,
        });
        var plainCookies = SetCookies(login).Concat(SetCookies(signIn)).ToList();
        Assert.Contains(plainCookies, c => c.StartsWith("SendCraft.Auth=", StringComparison.Ordinal));
        Assert.All(plainCookies, c => Assert.DoesNotContain("secure", SecurityHeadersTests.CookieAttributes(c)));
    }

    private static List<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? [.. values] : [];

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;

    /// <summary>A throwaway TLS certificate for <see cref="PublicHost"/>, as the PEM pair Nginx reads.</summary>
    private static (string CertificatePath, string KeyPath) SelfSignedPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={PublicHost}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(PublicHost);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var folder = Directory.CreateTempSubdirectory("sendcraft-tls-").FullName;
        var certificatePath = Path.Combine(folder, "tls.pem");
        var keyPath = Path.Combine(folder, "tls.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
