using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Sending;

/// <summary>
/// Every message shape SendCraft sends, as a server received it, read back by independent tools: Python's email
/// package must see the same headers, bodies and attachments, and dkimpy (python3-dkim) must verify the DKIM
/// signature against the domain's published key. The database plays no part here, so SQLite suffices.
/// </summary>
public sealed class MimeOracleTests
{
    private static readonly Dictionary<string, string?> Fast = new() { ["Sending:PollInterval"] = "00:00:00.200" };
    private static readonly byte[] Pdf = RandomNumberGenerator.GetBytes(70_000);

    public static TheoryData<string> Shapes => ["text", "html", "alternative", "attachments", "international", "whitespace"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task MessageShape_ParsesToWhatWasComposed_AndItsDkimSignatureVerifies(string shape)
    {
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions());
        await using var app = await SendCraftApp.StartAsync(DatabaseKind.Sqlite, Fast);
        // One connection: the copies for to, cc and bcc then go out over it one after the other, and all but the
        // first reuse the body built for the first (MimeBuilder's per-connection cache), which must not change a byte.
        var (workspace, account, publicKey) = await app.CreateSenderAsync(server.Port, domain: "oracle.test", maxConnections: 1);

        (string Subject, string? Text, string? Html, string To, string? Cc, AttachmentInput[] Attachments) composed = shape switch
        {
            "text" => ("Plain words", "Just text.\nSecond line.", null, "ann@rcpt.test", null, []),
            "html" => ("Only HTML", null, "<p>Only <b>HTML</b></p>", "ann@rcpt.test", null, []),
            "alternative" => ("Both parts", "Text part", "<p>HTML part</p>", "Ann <ann@rcpt.test>", "Bob <bob@rcpt.test>", []),
            // What relaxed canonicalization rewrites: runs of spaces and tabs, trailing whitespace, empty lines at the end.
            "whitespace" => ("Spaces   and\ttabs", "Two  spaces,\ta tab, trailing   \n\n  indented line\t\n\n\n\n", "<p>a  b\t c </p>\n\n\n",
                "ann@rcpt.test", null, []),
            "attachments" => ("Files", "See the files.", "<p>See the files.</p>", "ann@rcpt.test", null,
                [new AttachmentInput("report.pdf", "application/pdf", Pdf), new AttachmentInput("Übersicht März.csv", "text/csv", "a;b\n1;2\n"u8.ToArray())]),
            _ => ("Grüße aus Köln — 東京 ✓ a very long subject line that has to be folded by the writer at some point", "Ünïcödé text ✓",
                "<p>Ünïcödé <i>HTML</i> ✓</p>", "Zoë Ångström <zoe@rcpt.test>", "Jürgen Groß <j@rcpt.test>", []),
        };
        var (subject, text, html, to, cc, attachments) = composed;
        var queued = await app.QueueAsync(workspace, account, [to], subject, html, text, cc is null ? null : [cc], ["secret-bcc@rcpt.test"], attachments);

        await server.WaitForMessagesAsync(queued.Count, TimeSpan.FromSeconds(30));
        var message = server.Messages.Single(m => m.Recipients.Contains("ann@rcpt.test") || m.Recipients.Contains("zoe@rcpt.test"));
        var parsed = await MailOracle.ParseAsync(message.Data, DkimKeys.DnsRecordValue(publicKey));

        Assert.True(parsed.GetProperty("dkim_valid").GetBoolean(), "dkimpy did not verify the DKIM signature");
        Assert.Empty(parsed.GetProperty("defects").EnumerateArray());
        Assert.Equal(subject, parsed.GetProperty("subject").GetString());
        Assert.Equal("Sender Test <news@oracle.test>", parsed.GetProperty("from").GetString());
        Assert.Equal(to, parsed.GetProperty("to").GetString());
        Assert.Equal(cc, parsed.GetProperty("cc").GetString());
        Assert.False(parsed.GetProperty("bcc_header_present").GetBoolean());
        Assert.Equal($"<{queued[0].MessageId}>", parsed.GetProperty("message_id").GetString());
        Assert.Equal(Normalize(text), Normalize(parsed.GetProperty("text").GetString()));
        Assert.Equal(Normalize(html), Normalize(parsed.GetProperty("html").GetString()));
        var parsedAttachments = parsed.GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(attachments.Select(a => a.FileName), parsedAttachments.Select(a => a.GetProperty("filename").GetString()));
        Assert.Equal(attachments.Select(a => Convert.ToHexStringLower(SHA256.HashData(a.Data))), parsedAttachments.Select(a => a.GetProperty("sha256").GetString()));
        Assert.Equal(attachments.Select(a => a.ContentType), parsedAttachments.Select(a => a.GetProperty("content_type").GetString()));

        Assert.Equal(queued.Count, server.Messages.Count);
        foreach (var copy in server.Messages.Where(m => m != message))
        {
            var parsedCopy = await MailOracle.ParseAsync(copy.Data, DkimKeys.DnsRecordValue(publicKey));
            Assert.True(parsedCopy.GetProperty("dkim_valid").GetBoolean(), $"DKIM of the copy for {string.Join(", ", copy.Recipients)}");
            Assert.Equal(Normalize(text), Normalize(parsedCopy.GetProperty("text").GetString()));
            Assert.Equal(Normalize(html), Normalize(parsedCopy.GetProperty("html").GetString()));
            Assert.Equal(parsedAttachments.Select(a => a.GetProperty("sha256").GetString()),
                parsedCopy.GetProperty("attachments").EnumerateArray().Select(a => a.GetProperty("sha256").GetString()));
        }
    }

    [Fact]
    public async Task TamperedMessage_FailsDkimVerification()
    {
        // The oracle must be able to say no: change one byte of a signed body and it has to.
        await using var server = FaultySmtpServer.Start(new FaultySmtpOptions());
        await using var app = await SendCraftApp.StartAsync(DatabaseKind.Sqlite, Fast);
        var (workspace, account, publicKey) = await app.CreateSenderAsync(server.Port, domain: "oracle.test");
        await app.QueueAsync(workspace, account, ["ann@rcpt.test"], "Signed", null, "Pay 100 EUR");
        await server.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
        var data = server.Messages.Single().Data;

        var tampered = System.Text.Encoding.ASCII.GetBytes(System.Text.Encoding.ASCII.GetString(data).Replace("Pay 100 EUR", "Pay 900 EUR"));
        Assert.True((await MailOracle.ParseAsync(data, DkimKeys.DnsRecordValue(publicKey))).GetProperty("dkim_valid").GetBoolean());
        Assert.False((await MailOracle.ParseAsync(tampered, DkimKeys.DnsRecordValue(publicKey))).GetProperty("dkim_valid").GetBoolean());
    }

    /// <summary>Line endings differ by transport (CRLF on the wire); the content must not.</summary>
    private static string? Normalize(string? s) => s?.Replace("\r\n", "\n").TrimEnd('\n');
}
