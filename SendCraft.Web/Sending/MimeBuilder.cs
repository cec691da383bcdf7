using MimeKit;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>Turns an outbox row and its content into the MIME message that is signed and transmitted.</summary>
public static class MimeBuilder
{
    /// <param name="bodies">
    /// Bodies already built for this content, reused: a bulk send has thousands of rows over one content, and the body
    /// (text, HTML, attachments, encoded once) is most of the work. A body is written by one thread at a time only (its
    /// content streams have one position), so each connection keeps its own.
    /// </param>
    public static MimeMessage Build(OutboundMessage row, MessageContent content, DateTimeOffset date, Dictionary<long, MimeEntity>? bodies = null)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(content.FromName, content.FromAddress));
        message.To.AddRange(InternetAddressList.Parse(content.ToHeader));
        if (!string.IsNullOrWhiteSpace(content.CcHeader)) message.Cc.AddRange(InternetAddressList.Parse(content.CcHeader));
        if (!string.IsNullOrWhiteSpace(content.ReplyTo)) message.ReplyTo.AddRange(InternetAddressList.Parse(content.ReplyTo));
        message.Subject = content.Subject;
        message.Date = date;
        // API callers' own headers (X-Campaign-Ref, …), validated when queued: no line breaks, none of the headers written here.
        if (content.CustomHeaders is { Length: > 0 } custom)
        {
            foreach (var (name, value) in System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(custom) ?? [])
                message.Headers.Add(name, value);
        }
        message.MessageId = row.MessageId;
        // Before signing: MIME-Version is a signed header, and MimeKit would otherwise add it only when writing.
        message.MimeVersion = new Version(1, 0);

        if (bodies is not null && content.Id != 0 && bodies.TryGetValue(content.Id, out var built))
        {
            message.Body = built;
            return message;
        }
        message.Body = BuildBody(content);
        if (bodies is not null && content.Id != 0) bodies[content.Id] = message.Body;
        return message;
    }

    private static MimeEntity BuildBody(MessageContent content)
    {
        var body = new BodyBuilder { HtmlBody = content.HtmlBody, TextBody = content.TextBody };
        foreach (var a in content.Attachments)
        {
            // Base64 for every attachment, text ones included: quoted-printable text would have its line endings
            // canonicalised to CRLF, and a CSV the user attached must arrive byte for byte.
            var part = (MimePart)body.Attachments.Add(a.FileName, a.Data, ContentType.Parse(a.ContentType));
            part.ContentTransferEncoding = ContentEncoding.Base64;
        }
        var entity = body.ToMessageBody();

        // 7-bit transfer encodings before signing, so no server on the way re-encodes the body and breaks DKIM.
        entity.Prepare(EncodingConstraint.SevenBit);

        // Each part's content encoded once (quoted-printable, base64) and kept encoded: MimeKit copies content whose
        // encoding matches the part's transfer encoding as it is, instead of encoding it again for every message
        // (the body is reused for every message of a content on a connection; see Build).
        foreach (var part in Leaves(entity))
        {
            if (part.Content is null || part.ContentTransferEncoding is ContentEncoding.Default or ContentEncoding.Binary) continue;
            var encoded = new MemoryStream();
            using (var filtered = new MimeKit.IO.FilteredStream(encoded))
            {
                filtered.Add(MimeKit.IO.Filters.EncoderFilter.Create(part.ContentTransferEncoding));
                part.Content.DecodeTo(filtered);
                filtered.Flush();
            }
            part.Content = new MimeContent(new MemoryStream(encoded.ToArray(), writable: false), part.ContentTransferEncoding);
        }
        return entity;
    }

    private static IEnumerable<MimePart> Leaves(MimeEntity entity) => entity switch
    {
        Multipart multipart => multipart.SelectMany(Leaves),
        MimePart part => [part],
        _ => [],
    };

    /// <summary>A Message-ID unique to the row, in the sending domain (RFC 5322 §3.6.4).</summary>
    public static string NewMessageId(string fromAddress)
    {
        var domain = fromAddress[(fromAddress.LastIndexOf('@') + 1)..];
        return $"{Guid.NewGuid():N}@{domain}";
    }
}
