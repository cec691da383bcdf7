using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// Certificates for the Data Protection key ring that are not the app's own: "the other server's certificate", a
/// PEM pair, a certificate without its key. The app's own is the zero set-up one (App_Data/keys under the content root).
/// Files go to a folder of this test process, removed when it exits.
/// </summary>
public static class TestCertificates
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), $"sendcraft-test-certs-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        return dir;
    });

    /// <summary>A new self-signed RSA certificate with its key, as a PKCS#12 file (optionally with a password).</summary>
    public static string Pfx(string? password = null)
    {
        using var certificate = Create();
        var path = NewPath(".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    /// <summary>A new certificate as PEM: the certificate and its private key in two files.</summary>
    public static (string CertificatePath, string KeyPath) PemPair()
    {
        using var certificate = Create();
        var path = NewPath(".pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        var keyPath = Path.ChangeExtension(path, ".key");
        File.WriteAllText(keyPath, certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (path, keyPath);
    }

    /// <summary>A certificate file without its private key (the mistake of exporting only the public part).</summary>
    public static string PublicOnly()
    {
        using var certificate = Create();
        var path = NewPath(".crt");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    private static X509Certificate2 Create()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=SendCraft test key encryption", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static string NewPath(string extension) => Path.Combine(Folder.Value, Guid.NewGuid().ToString("N") + extension);
}
