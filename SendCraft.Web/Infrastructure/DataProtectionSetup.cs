using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using SendCraft.Web.Data;

namespace SendCraft.Web.Infrastructure;

/// <summary>
/// The certificate that encrypts the Data Protection key ring. The keys live in the database (every instance shares
/// them); the certificate lives outside it, so a database dump alone cannot decrypt SMTP passwords or DKIM keys.
/// </summary>
public sealed class DataProtectionKeyOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 file (.pfx/.p12), or a PEM certificate (with its key in the same file or in CertificateKeyPath).</summary>
    public string? CertificatePath { get; set; }
    /// <summary>For a PEM certificate whose private key is in a separate file.</summary>
    public string? CertificateKeyPath { get; set; }
    public string? CertificatePassword { get; set; }
    /// <summary>A file holding the password (first line), so the password need not sit in the environment.</summary>
    public string? CertificatePasswordFile { get; set; }

    /// <summary>The certificate used before a rotation: keys it protected can still be read; new keys use CertificatePath.</summary>
    public string? PreviousCertificatePath { get; set; }
    public string? PreviousCertificatePassword { get; set; }
    public string? PreviousCertificatePasswordFile { get; set; }
}

/// <summary>A setting the app cannot start without. Its message is one line that names the setting and the fix.</summary>
public sealed class StartupSettingException(string message) : Exception(message)
{
    /// <summary>sysexits.h EX_CONFIG; sendcraft.service does not restart on it (RestartPreventExitStatus).</summary>
    public const int ExitCode = 78;
}

/// <summary>The certificates in use, and whether the current one is the self-signed file made for zero set-up.</summary>
public sealed record DataProtectionCertificates(X509Certificate2 Current, string CurrentPath, IReadOnlyList<X509Certificate2> Previous, bool IsGenerated, bool CreatedNow)
{
    public IEnumerable<X509Certificate2> All => Previous.Prepend(Current);
}

public static class DataProtectionSetup
{
    public const string PathSetting = DataProtectionKeyOptions.Section + ":" + nameof(DataProtectionKeyOptions.CertificatePath);

    /// <summary>Where the zero set-up certificate goes, relative to the content root (next to the SQLite default database).</summary>
    public static readonly string GeneratedRelativePath = Path.Combine("App_Data", "keys", "dataprotection.pfx");

    public static WebApplicationBuilder AddSendCraftDataProtection(this WebApplicationBuilder builder)
    {
        // Bound here as well as loaded below: the certificate object is needed at registration time (ProtectKeysWithCertificate).
        builder.Services.AddOptions<DataProtectionKeyOptions>().BindConfiguration(DataProtectionKeyOptions.Section).ValidateOnStart();
        var options = builder.Configuration.GetSection(DataProtectionKeyOptions.Section).Get<DataProtectionKeyOptions>() ?? new();
        var certificates = LoadCertificates(options, builder.Environment);
        builder.Services.AddSingleton(certificates);
        builder.Services.AddDataProtection()
            .SetApplicationName("SendCraft")
            .PersistKeysToDbContext<SendCraftDbContext>()
            .ProtectKeysWithCertificate(certificates.Current)
            // Without this the decryptor looks for the certificate in the X509 store, which on Linux is empty.
            .UnprotectKeysWithAnyCertificate([.. certificates.All]);
        return builder;
    }

    /// <summary>
    /// The configured certificate; with none configured outside Production, a self-signed one under App_Data made on first
    /// start. Throws <see cref="StartupSettingException"/> for anything an operator must fix.
    /// </summary>
    public static DataProtectionCertificates LoadCertificates(DataProtectionKeyOptions options, IHostEnvironment environment)
    {
        X509Certificate2 current;
        string path;
        bool generated = false, createdNow = false;
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            if (environment.IsProduction())
            {
                throw new StartupSettingException(
                    $"{PathSetting} is not set: the Data Protection keys in the database must be encrypted with a certificate kept outside it. " +
                    "Run deploy/install.sh (it creates /etc/sendcraft/dataprotection.pfx and sets DataProtection__CertificatePath in /etc/sendcraft/sendcraft.env), or see docs/deploy.md.");
            }
            path = Path.Combine(environment.ContentRootPath, GeneratedRelativePath);
            (current, createdNow) = LoadOrCreateGenerated(path);
            generated = true;
        }
        else
        {
            path = Path.GetFullPath(options.CertificatePath, environment.ContentRootPath);
            current = Load(PathSetting, path, options.CertificateKeyPath, Password(options.CertificatePassword, options.CertificatePasswordFile, "CertificatePasswordFile"));
        }

        var previous = new List<X509Certificate2>();
        if (!string.IsNullOrWhiteSpace(options.PreviousCertificatePath))
        {
            var previousPath = Path.GetFullPath(options.PreviousCertificatePath, environment.ContentRootPath);
            previous.Add(Load($"{DataProtectionKeyOptions.Section}:{nameof(DataProtectionKeyOptions.PreviousCertificatePath)}", previousPath, null,
                Password(options.PreviousCertificatePassword, options.PreviousCertificatePasswordFile, "PreviousCertificatePasswordFile")));
        }
        return new DataProtectionCertificates(current, path, previous, generated, createdNow);
    }

    /// <summary>
    /// Reuses the file, or creates it with mode 0600 in a 0700 folder. Written under another name and linked into place
    /// without overwriting, so instances starting together (tests, a restart loop) agree on one certificate.
    /// </summary>
    public static (X509Certificate2 Certificate, bool Created) LoadOrCreateGenerated(string path)
    {
        if (File.Exists(path)) return (Load(PathSetting, path, null, null), false);

        var dir = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
        else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=SendCraft Data Protection (generated)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));
        var bytes = certificate.Export(X509ContentType.Pkcs12);

        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(temp, fileOptions)) file.Write(bytes);
        try
        {
            File.Move(temp, path, overwrite: false);
            return (Load(PathSetting, path, null, null), true);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp); // another instance won the race: use its certificate
            return (Load(PathSetting, path, null, null), false);
        }
    }

    private static X509Certificate2 Load(string setting, string path, string? keyPath, string? password)
    {
        if (!File.Exists(path))
            throw new StartupSettingException($"{setting}: {path} does not exist. Restore the certificate file from your backup, or point {setting} at it (docs/deploy.md).");
        X509Certificate2 certificate;
        try
        {
            var extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            else if (File.ReadAllText(path).Contains("PRIVATE KEY-----", StringComparison.Ordinal) || keyPath is not null)
                certificate = string.IsNullOrEmpty(password)
                    ? X509Certificate2.CreateFromPemFile(path, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
            else
                certificate = X509CertificateLoader.LoadCertificateFromFile(path); // no key: refused below with the reason
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new StartupSettingException(
                $"{setting}: {path} cannot be read ({OneLine(e.Message)}). It must be a PKCS#12 file (.pfx) or a PEM certificate with its private key, readable by this user; check its password setting.");
        }
        if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is null)
            throw new StartupSettingException(
                $"{setting}: {path} has no RSA private key. Use the .pfx file, or the PEM certificate together with its key (DataProtection:CertificateKeyPath).");
        return certificate;
    }

    private static string? Password(string? password, string? passwordFile, string fileSetting)
    {
        if (!string.IsNullOrEmpty(password)) return password;
        if (string.IsNullOrWhiteSpace(passwordFile)) return null;
        try
        {
            return File.ReadLines(passwordFile).FirstOrDefault()?.TrimEnd('\r') ?? "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupSettingException($"{DataProtectionKeyOptions.Section}:{fileSetting}: {passwordFile} cannot be read ({OneLine(e.Message)}).");
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim().TrimEnd('.');
}
