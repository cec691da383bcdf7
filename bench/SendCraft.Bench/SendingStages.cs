using System.Diagnostics;
using MailKit.Net.Smtp;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;

namespace SendCraft.Bench;

/// <summary>
/// `bench/run sending-stages`: the per-message stages of the sending path timed one by one on one thread (MIME build,
/// DKIM signature, header copy for the log, SMTP transmission over one NoDelay connection to smtp-sink), so a change
/// to one stage can be judged without the database and the worker around it. Prints; writes nothing.
/// </summary>
public static class SendingStages
{
    public static async Task RunAsync(string[] args)
    {
        const int count = 3000;
        var port = SendingBenchmark.StartSink(out var sink);
        try
        {
            var content = SendingBenchmark.BenchContent(0, "news@bench.test");
            content.Id = 1;
            var rows = Enumerable.Range(0, count).Select(n => new OutboundMessage
            {
                Recipient = $"user{n}@rcpt.test", MessageId = MimeBuilder.NewMessageId("news@bench.test"), Content = content,
            }).ToList();
            var keys = DkimKeys.Generate();
            var signer = DkimKeys.CreateSigner(keys.PrivateKeyPem, "bench.test", "bench");
            var now = DateTimeOffset.UtcNow;

            var messages = new MimeMessage[count];
            Time("MIME build, warm-up", count, () => { for (var i = 0; i < count; i++) messages[i] = MimeBuilder.Build(rows[i], content, now); });
            Time("MIME build, body built per message", count, () => { for (var i = 0; i < count; i++) messages[i] = MimeBuilder.Build(rows[i], content, now); });
            var bodies = new Dictionary<long, MimeEntity>();
            Time("MIME build, body reused (one per connection)", count, () => { for (var i = 0; i < count; i++) messages[i] = MimeBuilder.Build(rows[i], content, now, bodies); });
            var mimeKitSigner = MimeKitDkimSigner.Create(keys.PrivateKeyPem, "bench.test", "bench");
            Time("DKIM sign, MimeKit's DkimSigner (the previous signer; whole body hashed per message)", count, () => { foreach (var m in messages) mimeKitSigner.Sign(m, DkimKeys.SignedHeaders); });
            for (var i = 0; i < count; i++) messages[i] = MimeBuilder.Build(rows[i], content, now, bodies);
            Time("DKIM sign, DkimMessageSigner (body hash once per body)", count, () => { foreach (var m in messages) signer.Sign(m, DkimKeys.SignedHeaders, now); });
            Time("Header text for the log", count, () => { foreach (var m in messages) BatchSender.HeaderText(m); });
            Time("Signer created (per batch and account)", 20, () => { for (var i = 0; i < 20; i++) DkimKeys.CreateSigner(keys.PrivateKeyPem, "bench.test", "bench"); });

            var endpoint = new SmtpEndpoint("127.0.0.1", port, SmtpSecurity.None, false, null, null);
            using var client = await SmtpConnector.ConnectAsync(endpoint, TimeSpan.FromSeconds(30), CancellationToken.None);
            var from = MailboxAddress.Parse("news@bench.test");
            await TimeAsync("SMTP send, async, one connection", count, async () =>
            {
                for (var i = 0; i < count; i++) await client.SendAsync(messages[i], from, [MailboxAddress.Parse(rows[i].Recipient)]);
            });
            Time("SMTP send, sync, one connection", count, () =>
            {
                for (var i = 0; i < count; i++) client.Send(messages[i], from, [MailboxAddress.Parse(rows[i].Recipient)]);
            });
            client.Capabilities &= ~SmtpCapabilities.Size;
            await TimeAsync("SMTP send, async, no SIZE (one serialization)", count, async () =>
            {
                for (var i = 0; i < count; i++) await client.SendAsync(messages[i], from, [MailboxAddress.Parse(rows[i].Recipient)]);
            });
            var rsa = System.Security.Cryptography.RSA.Create();
            rsa.ImportFromPem(keys.PrivateKeyPem);
            var digest = new byte[32];
            Time("RSA-2048 signature alone (.NET, OpenSSL)", count, () =>
            {
                for (var i = 0; i < count; i++) rsa.SignHash(digest, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            });
            await client.DisconnectAsync(true);
        }
        finally
        {
            try { sink.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
    }

    private static void Time(string name, int count, Action action) =>
        TimeAsync(name, count, () => { action(); return Task.CompletedTask; }).GetAwaiter().GetResult();

    private static async Task TimeAsync(string name, int count, Func<Task> action)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var collections = GC.CollectionCount(0);
        var watch = Stopwatch.StartNew();
        await action();
        watch.Stop();
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var bytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / count;
        Console.WriteLine($"{name,-46} {watch.Elapsed.TotalMicroseconds / count,9:N1} µs wall {cpuUsed.TotalMicroseconds / count,9:N1} µs CPU {bytes,9:N0} B allocated per item; {GC.CollectionCount(0) - collections} GCs");
    }
}
