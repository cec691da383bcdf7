using System.Security.Cryptography;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace SendCraft.Bench;

/// <summary>
/// The comparison for SendCraft's own signer (DkimMessageSigner) in `bench/run sending-stages`: MimeKit's DKIM signer,
/// which canonicalizes and hashes the whole body for every message, with the RSA signature computed by .NET's RSA
/// (OpenSSL) instead of BouncyCastle's managed big-integer code. The engine used this until 2026-12-02.
/// </summary>
public sealed class MimeKitDkimSigner : DkimSigner
{
    private readonly RSA _rsa;

    public MimeKitDkimSigner(string privateKeyPem, string domain, string selector)
        : base(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(privateKeyPem)), domain, selector, DkimSignatureAlgorithm.RsaSha256)
    {
        _rsa = RSA.Create();
        _rsa.ImportFromPem(privateKeyPem);
    }

    public static MimeKitDkimSigner Create(string privateKeyPem, string domain, string selector) => new(privateKeyPem, domain, selector)
    {
        HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        AgentOrUserIdentifier = "@" + domain,
    };

    protected override ISigner CreateSigningContext() => new RsaSha256Signer(_rsa);

    /// <summary>The BouncyCastle ISigner shape MimeKit asks for, over an incremental SHA-256 and RSA PKCS#1 v1.5.</summary>
    private sealed class RsaSha256Signer(RSA rsa) : ISigner
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public string AlgorithmName => "SHA-256withRSA";
        public void Init(bool forSigning, ICipherParameters parameters) { }
        public void Update(byte input) => _hash.AppendData([input]);
        public void BlockUpdate(byte[] input, int inOff, int inLen) => _hash.AppendData(input, inOff, inLen);
        public void BlockUpdate(ReadOnlySpan<byte> input) => _hash.AppendData(input);
        public int GetMaxSignatureSize() => rsa.KeySize / 8;
        // MimeKit asks for one signature per context; the native hash context is freed here rather than by the finalizer.
        public byte[] GenerateSignature()
        {
            using (_hash) return rsa.SignHash(_hash.GetHashAndReset(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        public bool VerifySignature(byte[] signature) => rsa.VerifyHash(_hash.GetHashAndReset(), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        public void Reset() => _hash.GetHashAndReset();
    }
}
