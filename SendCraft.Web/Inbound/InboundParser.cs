using MimeKit;

namespace SendCraft.Web.Inbound;

/// <summary>What a delivery status notification says about the one recipient it reports on.</summary>
/// <param name="Status">The RFC 3463 status code (5.1.1); its first digit decides hard (5) or soft (4).</param>
public sealed record DsnReport(string Status, string Action, string? Diagnostic, string? FinalRecipient, OriginalMessage Original)
{
    public bool IsHard => Status.StartsWith('5');
    public bool IsSoft => Status.StartsWith('4');
}

/// <summary>What an ARF feedback report says.</summary>
public sealed record ArfReport(string FeedbackType, string? OriginalMailFrom, string? OriginalRcptTo, OriginalMessage Original);

/// <summary>What a report says about the message it reports on: the ways back to our outbox row.</summary>
public sealed record OriginalMessage(string? MessageId, string? ReturnPath, string? EnvelopeId);

public sealed record ParsedAttachment(string FileName, string ContentType, long Size);

/// <summary>
/// Reads one received message with MimeKit: an RFC 3464 delivery status notification (multipart/report,
/// report-type=delivery-status, MessageDeliveryStatus), an RFC 5965 ARF feedback report (multipart/report,
/// report-type=feedback-report, MessageFeedbackReport), or anything else (a reply). Never throws for bad input:
/// <see cref="Error"/> says what could not be read.
/// </summary>
public sealed class InboundParser
{
    public MimeMessage? Message { get; private init; }
    public string? Error { get; private init; }
    public DsnReport? Dsn { get; private init; }
    public ArfReport? Arf { get; private init; }
    /// <summary>A multipart/report that is neither a readable DSN nor ARF (or a DSN without a usable status), with why.</summary>
    public string? ReportProblem { get; private init; }

    public static InboundParser Parse(byte[] raw)
    {
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            message = MimeMessage.Load(stream);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or IOException)
        {
            return new InboundParser { Error = "Not a readable email message: " + e.Message };
        }
        if (message.Headers.Count == 0)
            return new InboundParser { Message = message, Error = "Not an email message: it has no header fields." };
        try
        {
            var report = FindReport(message.Body);
            if (report is null) return new InboundParser { Message = message };
            var type = report.ReportType?.ToLowerInvariant();
            return type switch
            {
                "delivery-status" => ReadDsn(message, report),
                "feedback-report" => ReadArf(message, report),
                _ => new InboundParser { Message = message, ReportProblem = $"A report of type \"{report.ReportType}\", which SendCraft does not read." },
            };
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or IOException or NullReferenceException)
        {
            return new InboundParser { Message = message, ReportProblem = "The report could not be read: " + e.Message };
        }
    }

    private static MultipartReport? FindReport(MimeEntity? entity) => entity switch
    {
        MultipartReport report => report,
        // Some gateways wrap the report in multipart/mixed (a footer, a signature).
        Multipart multipart => multipart.Select(FindReport).FirstOrDefault(r => r is not null),
        _ => null,
    };

    private static InboundParser ReadDsn(MimeMessage message, MultipartReport report)
    {
        var status = report.OfType<MessageDeliveryStatus>().FirstOrDefault();
        if (status is null)
            return new InboundParser { Message = message, ReportProblem = "A delivery-status report without a message/delivery-status part." };
        var groups = status.StatusGroups;
        var perMessage = groups.Count > 0 ? groups[0] : new HeaderList();
        // Per-recipient groups: the worst one decides (a DSN for one VERP message has one recipient; a shared DSN may list more).
        var recipients = groups.Skip(1).Where(g => g.Contains("Status") || g.Contains("Action")).ToList();
        var chosen = recipients.OrderBy(g => Severity(Value(g, "Status"))).FirstOrDefault();
        var code = StatusCode(Value(chosen, "Status"));
        var original = Original(report, Value(perMessage, "Original-Envelope-Id"), Value(perMessage, "Original-Message-ID") ?? Value(chosen, "Original-Message-ID"));
        if (chosen is null || code is null)
        {
            return new InboundParser
            {
                Message = message,
                ReportProblem = chosen is null ? "A delivery-status report without per-recipient fields." : $"A delivery-status report whose Status \"{Value(chosen, "Status")}\" is not a status code (RFC 3463).",
                Dsn = new DsnReport("", Value(chosen, "Action") ?? "", Value(chosen, "Diagnostic-Code"), Address(Value(chosen, "Final-Recipient") ?? Value(chosen, "Original-Recipient")), original),
            };
        }
        return new InboundParser
        {
            Message = message,
            Dsn = new DsnReport(code, (Value(chosen, "Action") ?? "").ToLowerInvariant(), Value(chosen, "Diagnostic-Code"),
                Address(Value(chosen, "Final-Recipient") ?? Value(chosen, "Original-Recipient")), original),
        };
    }

    private static InboundParser ReadArf(MimeMessage message, MultipartReport report)
    {
        var feedback = report.OfType<MessageFeedbackReport>().FirstOrDefault();
        if (feedback is null)
            return new InboundParser { Message = message, ReportProblem = "A feedback report without a message/feedback-report part." };
        var fields = feedback.Fields;
        var original = Original(report, null, null);
        return new InboundParser
        {
            Message = message,
            Arf = new ArfReport((Value(fields, "Feedback-Type") ?? "abuse").ToLowerInvariant(), Address(Value(fields, "Original-Mail-From")),
                Address(Value(fields, "Original-Rcpt-To")), original),
        };
    }

    /// <summary>The reported message's headers, from an attached message/rfc822 or text/rfc822-headers part.</summary>
    private static OriginalMessage Original(MultipartReport report, string? envelopeId, string? originalMessageId)
    {
        var attached = report.OfType<MessagePart>().Select(p => p.Message).FirstOrDefault(m => m is not null);
        var messageId = Unbracket(originalMessageId) ?? Unbracket(attached?.MessageId);
        var returnPath = attached?.Headers[HeaderId.ReturnPath];
        return new OriginalMessage(messageId, Address(returnPath), envelopeId?.Trim());
    }

    private static string? Value(HeaderList? headers, string name)
    {
        var value = headers?[name];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>"5.1.1 (user unknown)" → "5.1.1"; null when the field is not a status code.</summary>
    private static string? StatusCode(string? status)
    {
        if (status is null) return null;
        var code = status.Split([' ', '\t', '('], 2)[0].Trim();
        var parts = code.Split('.');
        return parts.Length == 3 && parts[0] is "2" or "4" or "5" && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)) ? code : null;
    }

    private static int Severity(string? status) => StatusCode(status)?[0] switch { '5' => 0, '4' => 1, '2' => 3, _ => 2 };

    /// <summary>"rfc822; Ann@Example.test" or "&lt;ann@example.test&gt;" → "ann@example.test".</summary>
    internal static string? Address(string? field)
    {
        if (string.IsNullOrWhiteSpace(field)) return null;
        var text = field.Trim();
        var semicolon = text.IndexOf(';');
        if (semicolon >= 0) text = text[(semicolon + 1)..].Trim();
        text = text.Trim('<', '>', ' ', '"');
        return text.Length == 0 || text.Length > 254 ? null : text.ToLowerInvariant();
    }

    internal static string? Unbracket(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        var text = id.Trim().Trim('<', '>').Trim();
        return text.Length == 0 || text.Length > 254 ? null : text;
    }

    /// <summary>The Message-IDs this message answers: In-Reply-To first, then References from the newest.</summary>
    public IReadOnlyList<string> AnsweredIds()
    {
        if (Message is null) return [];
        var ids = new List<string>();
        if (Unbracket(Message.InReplyTo) is { } inReplyTo) ids.Add(inReplyTo);
        ids.AddRange(Message.References.Reverse().Select(Unbracket).OfType<string>());
        return ids.Distinct().Take(20).ToList();
    }

    /// <summary>An automatic answer (RFC 3834 Auto-Submitted, or the usual vendor headers of out-of-office replies).</summary>
    public bool IsAutoReply
    {
        get
        {
            if (Message is null) return false;
            var auto = Message.Headers["Auto-Submitted"];
            if (!string.IsNullOrWhiteSpace(auto) && !auto.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase)) return true;
            if (Message.Headers.Contains("X-Autoreply") || Message.Headers.Contains("X-Autorespond")) return true;
            var precedence = Message.Headers["Precedence"]?.Trim().ToLowerInvariant();
            return precedence is "auto_reply" or "bulk" or "junk";
        }
    }

    /// <summary>Looks like a bounce from a server that does not write RFC 3464 (mailer-daemon, "Undelivered Mail").</summary>
    public bool LooksLikeBounce(string mailFrom)
    {
        if (Message is null) return false;
        var from = Message.From.Mailboxes.FirstOrDefault()?.LocalPart.ToLowerInvariant() ?? "";
        return mailFrom.Length == 0 && (from is "mailer-daemon" or "postmaster"
            || (Message.Subject ?? "").Contains("undeliver", StringComparison.OrdinalIgnoreCase)
            || (Message.Subject ?? "").Contains("delivery status", StringComparison.OrdinalIgnoreCase)
            || (Message.Subject ?? "").Contains("failure notice", StringComparison.OrdinalIgnoreCase));
    }

    public IReadOnlyList<ParsedAttachment> AttachmentList()
    {
        if (Message is null) return [];
        var list = new List<ParsedAttachment>();
        foreach (var entity in Message.Attachments.Take(100))
        {
            var name = entity.ContentDisposition?.FileName ?? entity.ContentType.Name ?? (entity is MessagePart ? "message.eml" : "attachment");
            long size = 0;
            try
            {
                using var measure = new MimeKit.IO.MeasuringStream();
                if (entity is MimePart { Content: not null } part) part.Content.DecodeTo(measure);
                else if (entity is MessagePart { Message: not null } attached) attached.Message.WriteTo(measure);
                size = measure.Length;
            }
            catch (Exception e) when (e is FormatException or IOException) { }
            list.Add(new ParsedAttachment(name.Length > 255 ? name[..255] : name, entity.ContentType.MimeType, size));
        }
        return list;
    }

    public string HeaderText()
    {
        if (Message is null) return "";
        using var buffer = new MemoryStream();
        Message.Headers.WriteTo(FormatOptions.Default, buffer);
        var text = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        return text.Length > 64 * 1024 ? text[..(64 * 1024)] : text;
    }
}
