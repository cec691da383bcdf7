using MimeKit;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>Turns an outbox row and its content into the MIME message that is signed and transmitted.</summary>
public static class MimeBuilder
{
    public static MimeMessage Build(OutboundMessage row, MessageContent content, DateTimeOffset date)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(content.FromName, content.FromAddress));
        message.To.AddRange(InternetAddressList.Parse(content.ToHeader));
        if (!string.IsNullOrWhiteSpace(content.CcHeader)) message.Cc.AddRange(InternetAddressList.Parse(content.CcHeader));
        message.Subject = content.Subject;
        message.Date = date;
        message.MessageId = row.MessageId;

        var body = new BodyBuilder { HtmlBody = content.HtmlBody, TextBody = content.TextBody };
        foreach (var a in content.Attachments)
        {
            // Base64 for every attachment, text ones included: quoted-printable text would have its line endings
            // canonicalised to CRLF, and a CSV the user attached must arrive byte for byte.
            var part = (MimePart)body.Attachments.Add(a.FileName, a.Data, ContentType.Parse(a.ContentType));
            part.ContentTransferEncoding = ContentEncoding.Base64;
        }
        message.Body = body.ToMessageBody();

        // 7-bit transfer encodings before signing, so no server on the way re-encodes the body and breaks DKIM.
        message.Prepare(EncodingConstraint.SevenBit);
        return message;
    }

    /// <summary>A Message-ID unique to the row, in the sending domain (RFC 5322 §3.6.4).</summary>
    public static string NewMessageId(string fromAddress)
    {
        var domain = fromAddress[(fromAddress.LastIndexOf('@') + 1)..];
        return $"{Guid.NewGuid():N}@{domain}";
    }
}
