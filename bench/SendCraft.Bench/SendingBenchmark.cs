using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Sending;

namespace SendCraft.Bench;

/// <summary>
/// `bench/run sending`: Postfix's smtp-source (a C load client that only blasts fixed messages) against
/// SendCraft's real outbox and worker (claim with lease, MIME build, DKIM signing, transmission over pooled
/// NoDelay connections, outcome and attempt recorded) into the same smtp-sink, with the same message size and
/// connection count, in one run on one machine. On SQLite, and on MariaDB when SENDCRAFT_BENCH_MYSQL is set
/// (bench/run starts a throwaway server for it). Beside them, what an operator would assemble instead: Postfix with
/// the OpenDKIM milter relaying smtp-source's messages into the same smtp-sink (bench/postfix-opendkim.sh).
/// </summary>
public static class SendingBenchmark
{
    private const int MessageBytes = 2_500;

    public static async Task RunAsync(string[] args)
    {
        var messages = IntArg(args, "--messages", 20_000);
        var connections = IntArg(args, "--connections", 4);
        var milter = StringArg(args, "--milter", "unix");
        var write = !args.Contains("--no-write");

        var sinkPort = StartSink(out var sink);
        using var _ = sink;
        if (args.Contains("--sendcraft-only"))
        {
            // For a profiler (dotnet-trace collect -- ...): SendCraft's rows alone, printed, nothing written.
            await SendCraftAsync(DatabaseProvider.Sqlite, null, sinkPort, messages, connections);
            if (Environment.GetEnvironmentVariable("SENDCRAFT_BENCH_MYSQL") is { Length: > 0 } only)
                await SendCraftAsync(DatabaseProvider.MySql, only, sinkPort, messages, connections);
            sink.Kill(entireProcessTree: true);
            return;
        }
        try
        {
            // The median of three: this machine is a VM with neighbours, and one short run can land in a busy moment.
            var sourceRuns = new List<double>();
            for (var i = 0; i < 3; i++) sourceRuns.Add(await SmtpSourceAsync(sinkPort, messages, connections));
            var source = sourceRuns.Order().ElementAt(1);
            Console.WriteLine($"smtp-source: {source:N0} msg/s");
            var results = new List<SendCraftRun> { await SendCraftAsync(DatabaseProvider.Sqlite, null, sinkPort, messages, connections) };
            if (Environment.GetEnvironmentVariable("SENDCRAFT_BENCH_MYSQL") is { Length: > 0 } server)
                results.Add(await SendCraftAsync(DatabaseProvider.MySql, server, sinkPort, messages, connections));
            var relay = await PostfixOpenDkimAsync(sinkPort, messages, connections, milter);
            var signsPerSecond = await OpenSslRsaSignsPerSecondAsync();
            Console.WriteLine($"Postfix + OpenDKIM: {relay.Rate:N0} msg/s, {relay.Rate / source:0.00} of smtp-source, {relay.Rate / signsPerSecond:0.00} of the RSA-2048 ceiling ({signsPerSecond:N0} signatures/s)");
            foreach (var r in results)
                Console.WriteLine($"SendCraft, {r.Label}: {r.Rate:N0} msg/s, {r.Rate / signsPerSecond:0.00} of the RSA-2048 ceiling");

            var md = new StringBuilder();
            md.AppendLine("## Sending into Postfix's smtp-sink (`bench/run sending`)").AppendLine();
            md.AppendLine($"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}; load average {LoadAverage()} at the end.").AppendLine();
            md.AppendLine($"{messages:N0} messages of about {MessageBytes:N0} bytes (text + HTML), {connections} connections, loopback, same smtp-sink for every row. " +
                          "SendCraft's figure is wall time from worker start until every outbox row is recorded as sent: batch claim with lease, " +
                          "MIME build, DKIM rsa-sha256 signature per message, SMTP transmission, status and attempt rows written. " +
                          "Not included yet: per-recipient template rendering (campaigns are not built; see `bench/run render` for its cost). " +
                          $"Postfix + OpenDKIM's figure is wall time from smtp-source's first submission until Postfix has logged all {messages:N0} as delivered to the sink " +
                          "(its log also shows a DKIM-Signature added to each, and one relayed message's signature is checked to verify); its CPU is Postfix's processes' and OpenDKIM's.").AppendLine();
            md.AppendLine("| Client | Messages per second | Ratio to smtp-source | CPU per message (whole process) | Peak working set |");
            md.AppendLine("|---|---:|---:|---:|---:|");
            md.AppendLine($"| Postfix smtp-source (comparison; `-d`, one connection reused per session, no DKIM; median of {string.Join(", ", sourceRuns.Select(r => r.ToString("N0")))}) | {source:N0} | 1.00 | – | – |");
            foreach (var r in results)
                md.AppendLine($"| SendCraft outbox + worker, {r.Label} | {r.Rate:N0} | {r.Rate / source:0.00} | {r.CpuMicrosecondsPerMessage:N0} µs | {r.PeakMb:N0} MB |");
            md.AppendLine($"| Postfix {relay.PostfixVersion} + OpenDKIM {relay.OpenDkimVersion} milter ({milter} socket), relaying to the same smtp-sink, fed by smtp-source; " +
                          $"RSA-2048, relaxed/relaxed, SendCraft's header list; at most {connections} connections out (`bench/postfix-opendkim.sh`) | {relay.Rate:N0} | {relay.Rate / source:0.00} | {relay.CpuMicrosecondsPerMessage:N0} µs | – |");
            md.AppendLine($"| Ceiling: RSA-2048 signatures per second, OpenSSL, all {Environment.ProcessorCount} cores, nothing else (`openssl speed -multi`) | {signsPerSecond:N0} | {signsPerSecond / source:0.00} | – | – |");
            md.AppendLine();
            md.AppendLine("Share of the RSA-2048 ceiling: " + string.Join(", ", results.Select(r => $"SendCraft {r.Label} {r.Rate / signsPerSecond:0.00}")) +
                          $", Postfix + OpenDKIM {relay.Rate / signsPerSecond:0.00}.").AppendLine();
            md.AppendLine("Worker stages per batch of 500 (mean, from the `SendCraft.Sending` metrics; recording overlaps the next batch's claim and send):").AppendLine();
            md.AppendLine("| Database | Batches | Claim | Send | Record |");
            md.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var r in results)
                md.AppendLine($"| {r.Label} | {r.Batches} | {r.ClaimMs:N0} ms | {r.SendMs:N0} ms | {r.RecordMs:N0} ms |");
            md.AppendLine().AppendLine("CPU per message on the whole machine during SendCraft's runs (2 cores give 2,000,000 µs a second; /proc for the other processes):").AppendLine();
            md.AppendLine("| Database | SendCraft process | MariaDB server | smtp-sink | Sum | Rate that sum allows on all cores |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var r in results)
            {
                var sum = r.CpuMicrosecondsPerMessage + r.DatabaseServerMicroseconds + r.SinkMicroseconds;
                md.AppendLine($"| {r.Label} | {r.CpuMicrosecondsPerMessage:N0} µs | {(r.DatabaseServerMicroseconds > 0 ? $"{r.DatabaseServerMicroseconds:N0} µs" : "– (in-process)")} | {r.SinkMicroseconds:N0} µs | {sum:N0} µs | {Environment.ProcessorCount * 1_000_000 / sum:N0} msg/s |");
            }
            md.AppendLine().AppendLine("Target (DESIGN.md and the engine issue): at least half of the RSA-2048 ceiling row, bookkeeping included, and ahead of Postfix + OpenDKIM. " +
                                       "Every message carries its own DKIM signature (one RSA-2048 private-key operation), so SendCraft can never pass the ceiling row on " +
                                       "this machine, whatever else it does. Peak working set is the benchmark process's (it hosts the app and seeds the rows), cumulative over the rows above.");
            Console.WriteLine(md);
            if (write) Report.WriteSection("sending", md.ToString());
        }
        finally
        {
            try { sink.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
    }

    /// <summary>Postfix's smtp-sink on a free loopback port; it stops by itself after 30 minutes at most.</summary>
    internal static int StartSink(out Process sink)
    {
        var port = FreePort();
        sink = Process.Start(new ProcessStartInfo("timeout", $"1800 /usr/sbin/smtp-sink -u nobody 127.0.0.1:{port} 1024")
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        WaitForPortAsync(port).GetAwaiter().GetResult();
        return port;
    }

    private static async Task<double> SmtpSourceAsync(int port, int messages, int connections)
    {
        var watch = Stopwatch.StartNew();
        using var source = Process.Start(new ProcessStartInfo("/usr/sbin/smtp-source",
            $"-d -l {MessageBytes} -m {messages} -s {connections} -f bench@bench.test -t sink@rcpt.test 127.0.0.1:{port}")
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await source.WaitForExitAsync();
        watch.Stop();
        if (source.ExitCode != 0) throw new InvalidOperationException("smtp-source failed: " + await source.StandardError.ReadToEndAsync());
        return messages / watch.Elapsed.TotalSeconds;
    }

    private sealed record RelayRun(double Rate, double CpuMicrosecondsPerMessage, string PostfixVersion, string OpenDkimVersion);

    /// <summary>
    /// The Postfix + OpenDKIM row: bench/postfix-opendkim.sh starts both (throwaway, loopback only), feeds Postfix with
    /// smtp-source and waits until every message has been relayed into our smtp-sink; it exits non-zero, and so this
    /// throws, when a message was not delivered, not signed, or the relayed signature does not verify.
    /// </summary>
    private static async Task<RelayRun> PostfixOpenDkimAsync(int sinkPort, int messages, int connections, string milter)
    {
        var script = Path.Combine(Report.FindRepositoryRoot(), "bench", "postfix-opendkim.sh");
        using var process = Process.Start(new ProcessStartInfo("bash",
            $"{script} --sink-port {sinkPort} --messages {messages} --connections {connections} --size {MessageBytes} --milter {milter}")
            { RedirectStandardOutput = true })!;
        string? result = null, versions = null;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("RESULT ", StringComparison.Ordinal)) result = line;
            else Console.WriteLine(line);
            if (line.StartsWith("Postfix ", StringComparison.Ordinal) && line.Contains(", OpenDKIM ", StringComparison.Ordinal)) versions = line;
        }
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || result is null)
            throw new InvalidOperationException($"The Postfix + OpenDKIM row failed (bench/postfix-opendkim.sh exited with {process.ExitCode}; its reason is printed above).");
        double Field(string name) => double.Parse(result.Split(' ').Single(f => f.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..],
            System.Globalization.CultureInfo.InvariantCulture);
        // "Postfix 3.7.11 on 127.0.0.1:P, OpenDKIM v2.11.0 on unix:..., relaying to ..."
        var words = versions?.Split(' ') ?? [];
        return new RelayRun(Field("rate"), Field("cpu_us_per_message"),
            words.Length > 1 ? words[1] : "?", words.Length > 5 ? words[5].TrimStart('v') : "?");
    }

    internal sealed record SendCraftRun(string Label, double Rate, long PeakMb, double CpuMicrosecondsPerMessage, int Batches, double ClaimMs, double SendMs, double RecordMs)
    {
        /// <summary>CPU per message of the machine's other processes during the run (the database server, smtp-sink).</summary>
        public double DatabaseServerMicroseconds { get; init; }
        public double SinkMicroseconds { get; init; }
    }

    /// <summary>CPU time so far of every process with this name (from /proc: utime + stime), for processes the benchmark does not own.</summary>
    private static TimeSpan ProcessCpu(string name)
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != name) continue;
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime (fields 14 and 15 of the line)
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { /* gone meanwhile */ }
        }
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    /// <summary>RSA-2048 sign operations per second with OpenSSL on every core: the most any DKIM-signing sender can do here.</summary>
    private static async Task<double> OpenSslRsaSignsPerSecondAsync()
    {
        using var openssl = Process.Start(new ProcessStartInfo("openssl", $"speed -seconds 3 -multi {Environment.ProcessorCount} rsa2048")
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await openssl.StandardOutput.ReadToEndAsync();
        await openssl.WaitForExitAsync();
        // "rsa 2048 bits 0.000127s 0.000008s   7847.0 129961.7": sign time, verify time, signs/s, verifies/s.
        var line = output.Split('\n').Last(l => l.StartsWith("rsa 2048 bits", StringComparison.Ordinal));
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return double.Parse(fields[5], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>One SendCraft row in a temporary folder (the app's content root, and the SQLite file), removed afterwards.</summary>
    internal static async Task<SendCraftRun> SendCraftAsync(DatabaseProvider provider, string? mysqlServer, int sinkPort, int messages, int connections)
    {
        var dir = Directory.CreateTempSubdirectory("sendcraft-bench-").FullName;
        try
        {
            return await SendCraftInAsync(dir, provider, mysqlServer, sinkPort, messages, connections);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<SendCraftRun> SendCraftInAsync(string dir, DatabaseProvider provider, string? mysqlServer, int sinkPort, int messages, int connections)
    {
        string connectionString, label;
        if (provider == DatabaseProvider.MySql)
        {
            var name = $"sc_bench_{Guid.NewGuid():N}"[..24];
            await using (var c = new MySqlConnector.MySqlConnection(mysqlServer))
            {
                await c.OpenAsync();
                await new MySqlConnector.MySqlCommand($"CREATE DATABASE `{name}`", c).ExecuteNonQueryAsync();
            }
            connectionString = new MySqlConnector.MySqlConnectionStringBuilder(mysqlServer!) { Database = name }.ConnectionString;
            label = "MariaDB";
        }
        else
        {
            connectionString = $"Data Source={Path.Combine(dir, "bench.db")}";
            label = "SQLite";
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dir, EnvironmentName = "Benchmark" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["ConnectionStrings:SendCraft"] = connectionString,
            ["Sending:PollInterval"] = "00:00:00.050",
            ["Sending:BatchSize"] = "500",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddSendCraft();
        await using var app = builder.Build();
        await app.Services.MigrateSendCraftDatabaseAsync();
        await SeedAsync(app.Services, sinkPort, messages, connections);

        var stages = new Dictionary<string, (int Count, double Sum)>();
        Stopwatch? watch = null;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == OutboxMetrics.MeterName) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            lock (stages) stages[instrument.Name] = stages.TryGetValue(instrument.Name, out var s) ? (s.Count + 1, s.Sum + value) : (1, value);
            if (Environment.GetEnvironmentVariable("BENCH_TRACE") is not null) Console.WriteLine($"{watch!.ElapsedMilliseconds,6} ms {instrument.Name} {value:N0}");
        });
        listener.Start();
        double Mean(string name) => stages.TryGetValue(name, out var s) ? s.Sum / s.Count : 0;

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var (databaseBefore, sinkBefore) = (ProcessCpu("mariadbd"), ProcessCpu("smtp-sink"));
        watch = Stopwatch.StartNew();
        await app.StartAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
            while (await db.OutboundMessages.IgnoreQueryFilters().CountAsync(m => m.Status != MessageStatus.Sent) > 0)
            {
                if (watch.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("SendCraft did not finish in 10 minutes.");
                await Task.Delay(100);
            }
        }
        watch.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var (databaseCpu, sinkCpu) = (ProcessCpu("mariadbd") - databaseBefore, ProcessCpu("smtp-sink") - sinkBefore);
        await app.StopAsync();
        listener.Dispose();
        var rate = messages / watch.Elapsed.TotalSeconds;
        var run = new SendCraftRun(label, rate, Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024, cpu.TotalMicroseconds / messages,
            stages.GetValueOrDefault("sendcraft.outbox.send.duration").Count,
            Mean("sendcraft.outbox.claim.duration"), Mean("sendcraft.outbox.send.duration"), Mean("sendcraft.outbox.record.duration"))
        {
            DatabaseServerMicroseconds = provider == DatabaseProvider.MySql ? databaseCpu.TotalMicroseconds / messages : 0,
            SinkMicroseconds = sinkCpu.TotalMicroseconds / messages,
        };
        Console.WriteLine(run);
        return run;
    }

    private static async Task SeedAsync(IServiceProvider services, int port, int count, int connections)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<SecretProtector>();
        var workspace = new Workspace { Name = "Bench" };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        var keys = DkimKeys.Generate();
        var domain = new SendingDomain
        {
            WorkspaceId = workspace.Id, Name = "bench.test", DkimSelector = "bench",
            DkimPrivateKeyProtected = secrets.Protect(keys.PrivateKeyPem), DkimPublicKey = keys.PublicKeyBase64,
        };
        db.SendingDomains.Add(domain);
        await db.SaveChangesAsync();
        var account = new SmtpAccount
        {
            WorkspaceId = workspace.Id, DomainId = domain.Id, FromEmail = "news@bench.test", FromName = "Bench", Host = "127.0.0.1", Port = port,
            Security = SmtpSecurity.None, MaxConnections = connections, MessagesPerSecond = 1_000_000,
        };
        db.SmtpAccounts.Add(account);
        var content = BenchContent(workspace.Id, account.FromEmail);
        db.MessageContents.Add(content);
        await db.SaveChangesAsync();
        var now = DateTime.UtcNow;
        for (var i = 0; i < count; i += 2000)
        {
            db.OutboundMessages.AddRange(Enumerable.Range(i, Math.Min(2000, count - i)).Select(n => new OutboundMessage
            {
                WorkspaceId = workspace.Id, SmtpAccountId = account.Id, ContentId = content.Id, Recipient = $"user{n}@rcpt.test",
                MessageId = MimeBuilder.NewMessageId(account.FromEmail), DueAt = now, CreatedAt = now,
            }));
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The message every benchmark sends: text and HTML, about 2,500 bytes once encoded and signed.</summary>
    internal static MessageContent BenchContent(long workspaceId, string from) => new()
    {
        WorkspaceId = workspaceId, FromAddress = from, FromName = "Bench", ToHeader = "Subscriber <list@rcpt.test>",
        Subject = "Your weekly digest",
        TextBody = string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 16)),
        HtmlBody = "<html><body><h1>Digest</h1>" + string.Concat(Enumerable.Repeat("<p>Lorem ipsum dolor sit amet, consectetur.</p>", 20)) + "</body></html>",
    };

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    private static string StringArg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) { await Task.Delay(50); }
        }
        throw new InvalidOperationException("smtp-sink did not start");
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }
}
