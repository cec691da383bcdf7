using System.Security.Cryptography;

namespace SendCraft.Web.Sending;

/// <summary>DKIM keys (RFC 6376): RSA 2048 generation, the DNS TXT value, and the signer.</summary>
public static class DkimKeys
{
    public sealed record KeyPair(string PrivateKeyPem, string PublicKeyBase64);

    public static KeyPair Generate()
    {
        using var rsa = RSA.Create(2048);
        return new KeyPair(rsa.ExportRSAPrivateKeyPem(), Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>The value of the TXT record at &lt;selector&gt;._domainkey.&lt;domain&gt;.</summary>
    public static string DnsRecordValue(string publicKeyBase64) => $"v=DKIM1; k=rsa; p={publicKeyBase64}";

    /// <summary>rsa-sha256 with relaxed/relaxed canonicalization over the headers receivers care about.</summary>
    public static DkimMessageSigner CreateSigner(string privateKeyPem, string domain, string selector) =>
        DkimMessageSigner.FromPem(privateKeyPem, domain, selector);

    /// <summary>Headers covered by the signature; From is required by the RFC, the rest guard against replay with edits.</summary>
    public static readonly MimeKit.HeaderId[] SignedHeaders =
    [
        MimeKit.HeaderId.From, MimeKit.HeaderId.To, MimeKit.HeaderId.Cc, MimeKit.HeaderId.Subject, MimeKit.HeaderId.Date,
        MimeKit.HeaderId.MessageId, MimeKit.HeaderId.MimeVersion, MimeKit.HeaderId.ContentType, MimeKit.HeaderId.ReplyTo,
        MimeKit.HeaderId.ListUnsubscribe, MimeKit.HeaderId.ListUnsubscribePost,
    ];
}
