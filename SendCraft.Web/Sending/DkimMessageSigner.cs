using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using MimeKit;

namespace SendCraft.Web.Sending;

/// <summary>
/// DKIM signatures (RFC 6376): rsa-sha256, relaxed/relaxed canonicalization. Written here rather than taken from
/// MimeKit's DkimSigner because that signer canonicalizes and hashes the whole body again for every message, while
/// a bulk send signs thousands of messages over one body: here the body hash (bh=) is computed once per body object
/// and only the headers are hashed per message. Measured with `bench/run sending-stages` (docs/benchmarks.md).
/// Checked by an independent verifier (dkimpy's dkimverify) in MimeOracleTests.
/// </summary>
public sealed class DkimMessageSigner(RSA key, string domain, string selector)
{
    private static readonly FormatOptions WireFormat = CreateWireFormat();

    // Keyed by the body object itself: MimeBuilder reuses one body per connection and content, and a new body
    // (another content) gets its own entry; entries go with their bodies.
    private readonly ConditionalWeakTable<MimeEntity, string> _bodyHashes = new();

    public static DkimMessageSigner FromPem(string privateKeyPem, string domain, string selector)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        return new DkimMessageSigner(rsa, domain, selector);
    }

    /// <summary>Adds a DKIM-Signature header (first) covering those of <paramref name="fields"/> that the message has.</summary>
    public void Sign(MimeMessage message, IReadOnlyList<HeaderId> fields, DateTimeOffset now)
    {
        var bodyHash = message.Body is null ? EmptyBodyHash : _bodyHashes.GetValue(message.Body, _ => HashBody(message));

        // A header may sit on the message or (Content-*) on its top-level body entity; both are written as one block.
        var all = message.Body is null ? message.Headers.ToList() : message.Headers.Concat(message.Body.Headers).ToList();
        var signed = new List<Header>();
        foreach (var field in fields)
        {
            // RFC 6376 §5.4.2: with several instances, the last one is signed first; we sign the last one only.
            var header = all.LastOrDefault(h => h.Id == field);
            if (header is not null) signed.Add(header);
        }

        var value = new StringBuilder("v=1; a=rsa-sha256; c=relaxed/relaxed; d=").Append(domain)
            .Append("; s=").Append(selector)
            .Append("; i=@").Append(domain)
            .Append("; t=").Append(now.ToUnixTimeSeconds())
            .Append("; h=").AppendJoin(':', signed.Select(h => h.Field.ToLowerInvariant()))
            .Append("; bh=").Append(bodyHash)
            .Append("; b=").ToString();

        // Latin-1 maps bytes to chars one to one, so the hash covers exactly the bytes that are transmitted.
        var canonical = new StringBuilder();
        foreach (var header in signed) AppendRelaxed(canonical, header.Field, Encoding.Latin1.GetString(header.RawValue)).Append("\r\n");
        AppendRelaxed(canonical, "DKIM-Signature", value); // the signature's own header, b= empty, no line end (§3.7)
        var signature = key.SignData(Encoding.Latin1.GetBytes(canonical.ToString()), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        // One unfolded line (about 560 characters, well under SMTP's 998), so no folding can differ from what was signed.
        var dkim = new Header(HeaderId.DkimSignature, "x");
        dkim.SetRawValue(Encoding.ASCII.GetBytes(" " + value + Convert.ToBase64String(signature) + "\n"));
        message.Headers.Insert(0, dkim);
    }

    /// <summary>Relaxed header canonicalization (§3.4.2): lower-case name, unfolded value, runs of whitespace as one space, trimmed.</summary>
    internal static StringBuilder AppendRelaxed(StringBuilder output, string field, string rawValue)
    {
        output.Append(field.ToLowerInvariant()).Append(':');
        var start = output.Length;
        var space = false;
        foreach (var c in rawValue)
        {
            if (c is '\r' or '\n') continue;
            if (c is ' ' or '\t') { space = true; continue; }
            if (space && output.Length > start) output.Append(' ');
            space = false;
            output.Append(c);
        }
        return output;
    }

    private static readonly string EmptyBodyHash = Convert.ToBase64String(SHA256.HashData([]));

    /// <summary>
    /// The body as transmitted (everything after the header block, CRLF line ends), relaxed body canonicalization
    /// (§3.4.4): whitespace at line ends removed, runs of whitespace as one space, empty lines at the end removed.
    /// </summary>
    private static string HashBody(MimeMessage message)
    {
        using var wire = new MemoryStream();
        message.WriteTo(WireFormat, wire);
        var bytes = wire.GetBuffer().AsSpan(0, (int)wire.Length);
        var separator = bytes.IndexOf("\r\n\r\n"u8);
        return Convert.ToBase64String(SHA256.HashData(CanonicalBody(separator < 0 ? [] : bytes[(separator + 4)..])));
    }

    internal static byte[] CanonicalBody(ReadOnlySpan<byte> body)
    {
        var output = new MemoryStream(body.Length);
        var line = new List<byte>(256);
        var emptyLines = 0;
        var start = 0;
        while (start < body.Length)
        {
            var end = body[start..].IndexOf("\r\n"u8);
            var raw = end < 0 ? body[start..] : body.Slice(start, end);
            start = end < 0 ? body.Length : start + end + 2;

            line.Clear();
            var space = false;
            foreach (var b in raw)
            {
                if (b is (byte)' ' or (byte)'\t') { space = true; continue; }
                if (space) line.Add((byte)' ');
                space = false;
                line.Add(b);
            }
            if (line.Count == 0) { emptyLines++; continue; }
            for (; emptyLines > 0; emptyLines--) output.Write("\r\n"u8);
            output.Write(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(line));
            output.Write("\r\n"u8);
        }
        return output.ToArray();
    }

    private static FormatOptions CreateWireFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }
}
