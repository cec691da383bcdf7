using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Infrastructure;

/// <summary>
/// Start-up check of the key ring in the database. Installs from before the certificate stored their keys in plain XML
/// (the master key in a &lt;masterKey requiresEncryption="true"&gt; element); those elements are encrypted in place with
/// the certificate, exactly as Data Protection itself writes a new key (an &lt;encryptedSecret&gt; holding XML-Enc
/// EncryptedData). The key ids and key material stay the same, so stored secrets, sign-in cookies and other instances
/// that still hold the key in memory keep working; nothing is re-protected or deleted. Keys that only the previous
/// certificate (DataProtection:PreviousCertificatePath) opens are re-encrypted with the current one the same way.
/// </summary>
public static class StoredKeyEncryption
{
    private static readonly XNamespace DataProtectionNs = "http://schemas.asp.net/2015/03/dataProtection";
    private static readonly XName RequiresEncryption = DataProtectionNs + "requiresEncryption";
    private static readonly XName EncryptedSecret = DataProtectionNs + "encryptedSecret";

    public static async Task CheckDataProtectionKeysAsync(this IServiceProvider services)
    {
        var certificates = services.GetRequiredService<DataProtectionCertificates>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var log = loggers.CreateLogger(typeof(StoredKeyEncryption).FullName!);
        if (certificates.IsGenerated)
        {
            log.LogInformation(
                "Data Protection keys are encrypted with the certificate {Path} ({How}; set {Setting} to use your own). Back it up alongside the database: without it the stored SMTP passwords and DKIM keys cannot be decrypted.",
                certificates.CurrentPath, certificates.CreatedNow ? "created now" : "generated on an earlier start", DataProtectionSetup.PathSetting);
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var keys = (await db.DataProtectionKeys.ToListAsync())
            .Where(k => k.Xml is not null).Select(k => (Row: k, Xml: XElement.Parse(k.Xml!))).ToList();
        WarnAboutKeysOfOtherCertificates(keys.Select(k => k.Xml).ToList(), certificates, log);

        var unencrypted = keys.Where(k => NeedsEncryption(k.Xml)).ToList();
        // After a rotation (DataProtection:PreviousCertificatePath): keys only the previous certificate opens move to the current one.
        var previous = certificates.Previous.Select(c => c.Thumbprint).Except([certificates.Current.Thumbprint], StringComparer.OrdinalIgnoreCase)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ofPrevious = keys.Where(k => Recipients(k.Xml) is { Count: > 0 } r && r.All(previous.Contains)).ToList();
        if (unencrypted.Count == 0 && ofPrevious.Count == 0) return;

        if (unencrypted.Count > 0)
        {
            log.LogWarning(
                "{Count} Data Protection key(s) are stored unencrypted in the database (written before the keys were protected with a certificate). Encrypting them with {Path}. Database copies made before now still hold them readable: if such a copy may have leaked, change the SMTP passwords and DKIM keys.",
                unencrypted.Count, certificates.CurrentPath);
        }
        if (ofPrevious.Count > 0)
        {
            log.LogInformation(
                "{Count} Data Protection key(s) are encrypted with the previous certificate; encrypting them with {Path}. Once every instance runs with the new certificate, {Setting} can be removed.",
                ofPrevious.Count, certificates.CurrentPath, DataProtectionKeyOptions.Section + ":" + nameof(DataProtectionKeyOptions.PreviousCertificatePath));
        }
        var encryptor = new CertificateXmlEncryptor(certificates.Current, loggers);
        var decryptor = new EncryptedXmlDecryptor(services);
        foreach (var (row, xml) in unencrypted.Concat(ofPrevious))
        {
            var plain = Decrypt(xml, decryptor);
            var encrypted = Encrypt(plain, encryptor);
            // Written only if it reads back to the same master key with the certificates this app unprotects with.
            if (!ReadsBackTheSame(plain, encrypted, decryptor))
                throw new InvalidOperationException($"Data Protection key {row.FriendlyName}: the encrypted copy does not decrypt to the original; left as it was.");
            row.Xml = encrypted.ToString(SaveOptions.DisableFormatting);
        }
        await db.SaveChangesAsync();
        log.LogInformation("{Count} Data Protection key(s) are now encrypted with the certificate {Path}.", unencrypted.Count + ofPrevious.Count, certificates.CurrentPath);
    }

    /// <summary>
    /// Keys encrypted for a certificate this app does not have (the database restored without its certificate, the file
    /// replaced) make every secret protected with them unreadable. Data Protection logs that per key with stack traces
    /// when it first loads the ring; this says it once, at start, with the setting to fix.
    /// </summary>
    private static void WarnAboutKeysOfOtherCertificates(IReadOnlyList<XElement> keys, DataProtectionCertificates certificates, ILogger log)
    {
        var ours = certificates.All.Select(c => c.Thumbprint).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var foreign = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var unreadable = 0;
        foreach (var key in keys)
        {
            var recipients = Recipients(key);
            if (recipients.Count == 0 || recipients.Any(ours.Contains)) continue;
            unreadable++;
            foreach (var t in recipients) foreign.Add(t);
        }
        if (unreadable == 0) return;
        log.Log(unreadable == keys.Count ? LogLevel.Error : LogLevel.Warning,
            "{Count} of the {Total} Data Protection keys in the database are encrypted with a certificate this app does not have (thumbprint {Theirs}; this app has {Ours}). Secrets protected with them (SMTP passwords, DKIM keys) cannot be decrypted: set {Setting} to that certificate, or {Previous} after a rotation.",
            unreadable, keys.Count, string.Join(", ", foreign), string.Join(", ", ours), DataProtectionSetup.PathSetting,
            DataProtectionKeyOptions.Section + ":" + nameof(DataProtectionKeyOptions.PreviousCertificatePath));
    }

    private static readonly XNamespace XmlDsig = "http://www.w3.org/2000/09/xmldsig#";

    /// <summary>Thumbprints of the certificates a key is encrypted for (XML-Enc puts the certificate in KeyInfo/X509Data).</summary>
    private static List<string> Recipients(XElement key) =>
        key.Descendants(XmlDsig + "X509Certificate").Select(Thumbprint).OfType<string>().ToList();

    private static string? Thumbprint(XElement x509Certificate)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(x509Certificate.Value.Trim())).Thumbprint;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    public static bool NeedsEncryption(XElement keyXml) =>
        keyXml.DescendantsAndSelf().Any(e => (bool?)e.Attribute(RequiresEncryption) == true);

    /// <summary>What Data Protection's own XmlEncryptionExtensions.EncryptIfNecessary does (it is internal).</summary>
    private static XElement Encrypt(XElement keyXml, IXmlEncryptor encryptor)
    {
        var doc = new XDocument(new XElement(keyXml));
        while (doc.Descendants().FirstOrDefault(e => (bool?)e.Attribute(RequiresEncryption) == true) is { } secret)
        {
            var info = encryptor.Encrypt(secret);
            secret.ReplaceWith(new XElement(EncryptedSecret,
                new XAttribute("decryptorType", info.DecryptorType.AssemblyQualifiedName!),
                info.EncryptedElement));
        }
        return doc.Root!;
    }

    private static XElement Decrypt(XElement keyXml, IXmlDecryptor decryptor)
    {
        var doc = new XDocument(new XElement(keyXml));
        foreach (var secret in doc.Descendants(EncryptedSecret).ToList())
            secret.ReplaceWith(decryptor.Decrypt(secret.Elements().Single()));
        return doc.Root!;
    }

    private static bool ReadsBackTheSame(XElement plain, XElement encrypted, IXmlDecryptor decryptor)
    {
        var before = plain.DescendantsAndSelf().Where(e => e.Attribute(RequiresEncryption) is not null).Select(e => e.Value).ToList();
        var after = Decrypt(encrypted, decryptor).DescendantsAndSelf().Where(e => e.Attribute(RequiresEncryption) is not null).Select(e => e.Value).ToList();
        return before.Count > 0 && before.SequenceEqual(after);
    }
}
