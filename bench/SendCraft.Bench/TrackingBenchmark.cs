using System.Diagnostics;
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
using SendCraft.Web.Tracking;

namespace SendCraft.Bench;

/// <summary>
/// `bench/run tracking`: click redirects on MariaDB, measured with wrk from outside the process. The app runs as its own
/// Release process (workers off); this process seeds sent messages with five tracked links each (one content, so one
/// link set) and writes one click token per message for wrk (bench/tracking-click.lua). A warm-up pass loads the
/// messages into the redirect's cache, then wrk runs for 20 s with 64 connections (the most the app answers: latency is
/// mostly queueing at saturation), then with 16 (latency at a lower load). Afterwards the app is stopped gracefully (its
/// writer flushes) and the MessageEvents rows are counted against all 302 answers.
/// </summary>
public static class TrackingBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var messages = CampaignBenchmark.IntArg(args, "--messages", 5_000);
        var seconds = CampaignBenchmark.IntArg(args, "--seconds", 20);
        var connectionCounts = (Array.IndexOf(args, "--connections") is var ci and >= 0 && ci + 1 < args.Length ? args[ci + 1] : "64,16")
            .Split(',').Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var write = !args.Contains("--no-write");
        var server = Environment.GetEnvironmentVariable("SENDCRAFT_BENCH_MYSQL") is { Length: > 0 } s ? s
            : throw new InvalidOperationException("SENDCRAFT_BENCH_MYSQL is not set (bench/run starts a throwaway MariaDB).");
        var dir = Directory.CreateTempSubdirectory("sendcraft-tracking-").FullName;
        var name = $"sc_track_{Guid.NewGuid():N}"[..24];
        await using (var c = new MySqlConnector.MySqlConnection(server))
        {
            await c.OpenAsync();
            await new MySqlConnector.MySqlCommand($"CREATE DATABASE `{name}`", c).ExecuteNonQueryAsync();
        }
        var connectionString = new MySqlConnector.MySqlConnectionStringBuilder(server) { Database = name, MaximumPoolSize = 128 }.ConnectionString;
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "MySql",
            ["ConnectionStrings:SendCraft"] = connectionString,
            ["Sending:WorkersEnabled"] = "false",
            ["Scheduling:RunJobs"] = "false",
            ["Scheduling:SchedulerName"] = "SendCraft",
            ["PublicBaseUrl"] = "http://127.0.0.1",
        };

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dir, EnvironmentName = "Benchmark" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddSendCraft();
        await using var control = builder.Build();
        await control.Services.MigrateSendCraftDatabaseAsync();
        var ids = await SeedAsync(control.Services, messages);
        await control.StartAsync(); // loads the installation's token key (created here, read by the app)
        var tokens = control.Services.GetRequiredService<MessageTokens>();
        var tokenFile = Path.Combine(dir, "tokens.txt");
        await File.WriteAllLinesAsync(tokenFile, ids.Select((id, i) => "/t/c/" + tokens.Create(TokenPurpose.Click, id, i % Links.Length)));
        await control.StopAsync();

        var app = CampaignBenchmark.StartApp(dir, settings);
        try
        {
            // A busy machine (shared with other engineers' builds) can take minutes to start the app.
            try { await CampaignBenchmark.WaitHealthyAsync(app.Port, seconds: 300); }
            catch (TimeoutException) { Console.Error.WriteLine(app.Output); throw; }
            var url = $"http://127.0.0.1:{app.Port}";
            // Cold pass: every message once (a cache miss each: one read of the message and its link set), 32 at a time.
            var cold = Stopwatch.StartNew();
            var coldRedirects = await ColdPassAsync(url, await File.ReadAllLinesAsync(tokenFile));
            var coldRate = messages / cold.Elapsed.TotalSeconds;
            // First an offered load of about 6,000 clicks/s (24 connections, each pausing 3 ms between requests), above the
            // issue's 5,000/s: here every click must be recorded. Then as fast as the app answers, at each connection count.
            var paced = await WrkAsync(url, tokenFile, PacedConnections, seconds, PacedDelayMs);
            Console.WriteLine(paced.Output);
            var pacedEvents = await WaitStableAsync(connectionString);
            var pacedMissing = coldRedirects + paced.Redirects - pacedEvents;
            var runs = new List<(int Connections, WrkRun Run)>();
            foreach (var connections in connectionCounts)
            {
                var run = await WrkAsync(url, tokenFile, connections, seconds);
                Console.WriteLine(run.Output);
                runs.Add((connections, run));
            }
            var redirects = coldRedirects + paced.Redirects + runs.Sum(r => r.Run.Redirects);

            // Let the writer catch up, then stop the app as systemd would (SIGTERM): it writes what it still holds.
            var beforeStop = await WaitStableAsync(connectionString);
            var stop = Stopwatch.StartNew();
            Process.Start("kill", ["-TERM", app.Process.Id.ToString()])!.WaitForExit();
            if (!app.Process.WaitForExit(TimeSpan.FromSeconds(60))) app.Stop();
            var stopTime = stop.Elapsed;
            // The writer's own account of what it wrote and dropped, and any batch it could not write.
            var writerLines = app.Output.Split('\n').Where(l => l.Contains("Tracking events")).Select(l => l.Trim()).ToList();
            foreach (var line in writerLines) Console.WriteLine("app: " + line);
            var events = await CountAsync(connectionString);
            var machine = await CountAsync(connectionString, "IsMachine");

            var md = new StringBuilder();
            md.AppendLine("## Click tracking redirects (`bench/run tracking`)").AppendLine();
            md.AppendLine($"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end. " +
                          "wrk, the app (Release, its own process) and MariaDB share these cores; with a high load average (other work on the machine) " +
                          "the figures are a floor.").AppendLine();
            md.AppendLine($"{messages:N0} sent messages with 5 tracked links each (one link set); one click token per message, wrk going round them " +
                          $"(2 threads) for {seconds} s with each connection count in turn, after a cold pass that clicked each message once (32 at a time) and so loaded it " +
                          $"into the redirect's cache: **cold** {coldRate:N0} redirects/s (each a cache miss, one indexed read of the message and its link set; " +
                          "messages the app sent itself are put in the cache as they are sent, so this is the case of another instance or a restart). " +
                          "In the wrk run every answer is a 302 from memory; the hit goes to the bounded channel and the writer inserts batches.").AppendLine();
            md.AppendLine("| wrk connections | requests/s (302) | p50 | p99 | non-3xx |");
            md.AppendLine("|---:|---:|---:|---:|---:|");
            md.AppendLine($"| {PacedConnections}, paced ({PacedDelayMs} ms between requests) | {paced.RequestsPerSecond:N0} | {paced.P50} | {paced.P99} | {paced.Errors} |");
            foreach (var (connections, run) in runs)
                md.AppendLine($"| {connections} | {run.RequestsPerSecond:N0} | {run.P50} | {run.P99} | {run.Errors} |");
            md.AppendLine().AppendLine($"After the cold pass and the paced run: {coldRedirects + paced.Redirects:N0} redirects, {pacedEvents:N0} events, " +
                                       $"**{pacedMissing:N0} missing**. After all runs:").AppendLine();
            md.AppendLine("| redirects (cold pass + runs) | MessageEvents rows | missing | graceful stop | the writer's own count |");
            md.AppendLine("|---:|---:|---:|---:|---|");
            md.AppendLine($"| {redirects:N0} | {events:N0} (before SIGTERM {beforeStop:N0}; machine-flagged {machine:N0}) | {redirects - events:N0} | {stopTime.TotalSeconds:N1} s | " +
                          $"{string.Join("; ", writerLines.Select(l => l[(l.IndexOf("Tracking events", StringComparison.Ordinal))..]))} |");
            md.AppendLine().AppendLine("Targets (issue 10): at least 5,000 redirects/s, p99 under 20 ms, every event recorded (missing 0 unless the channel overflowed: " +
                                       "see docs/tracking.md). Missing can be negative by up to the connection count: wrk does not count the requests still in " +
                                       "flight at its deadline, which the app answered and recorded.");
            Console.WriteLine(md);
            if (write) Report.WriteSection("tracking", md.ToString());
        }
        finally
        {
            app.Stop();
            app.Dispose();
            await using (var c = new MySqlConnector.MySqlConnection(server))
            {
                await c.OpenAsync();
                await new MySqlConnector.MySqlCommand($"DROP DATABASE IF EXISTS `{name}`", c).ExecuteNonQueryAsync();
            }
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static readonly string[] Links =
        ["https://shop.example/sale", "https://shop.example/new?utm=mail", "https://blog.example/post/42", "https://shop.example/account", "https://example.org/"];

    private static async Task<List<long>> SeedAsync(IServiceProvider services, int count)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var workspace = new Workspace { Name = "Bench" };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspace.Id);
        var domain = new SendingDomain { Name = "bench.test" };
        db.SendingDomains.Add(domain);
        await db.SaveChangesAsync();
        var account = new SmtpAccount { DomainId = domain.Id, FromEmail = "news@bench.test", FromName = "Bench", Host = "127.0.0.1", Port = 25, Security = SmtpSecurity.None };
        var content = new MessageContent
        {
            FromAddress = account.FromEmail, FromName = "Bench", ToHeader = "list@rcpt.test", Subject = "Sale", TrackClicks = true, TrackOpens = true,
            HtmlBody = string.Concat(Links.Select(l => $"<a href=\"{l}\">x</a>")),
        };
        db.SmtpAccounts.Add(account);
        db.MessageContents.Add(content);
        await db.SaveChangesAsync();
        db.TrackedLinkSets.Add(new TrackedLinkSet { ContentId = content.Id, MessageId = 0, UrlsJson = System.Text.Json.JsonSerializer.Serialize(Links) });
        var sentAt = DateTime.UtcNow.AddHours(-1);
        var ids = new List<long>(count);
        for (var start = 0; start < count; start += 2000)
        {
            var rows = Enumerable.Range(start, Math.Min(2000, count - start)).Select(i => new OutboundMessage
            {
                SmtpAccountId = account.Id, ContentId = content.Id, Recipient = $"user{i}@rcpt.test", MessageId = MimeBuilder.NewMessageId(account.FromEmail),
                Status = MessageStatus.Sent, DueAt = sentAt, CreatedAt = sentAt, SentAt = sentAt, Attempts = 1,
            }).ToList();
            db.OutboundMessages.AddRange(rows);
            await db.SaveChangesAsync();
            ids.AddRange(rows.Select(r => r.Id));
            db.ChangeTracker.Clear();
        }
        return ids;
    }

    private static async Task<long> ColdPassAsync(string url, string[] paths)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 32 }) { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) bench");
        long redirects = 0;
        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (path, ct) =>
        {
            using var response = await http.GetAsync(path, ct);
            if ((int)response.StatusCode == 302) Interlocked.Increment(ref redirects);
        });
        return redirects;
    }

    private sealed record WrkRun(int Seconds, long Requests, long Errors, double RequestsPerSecond, string P50, string P99, string Output)
    {
        public long Redirects => Requests - Errors;
    }

    private const int PacedConnections = 24, PacedDelayMs = 3;

    private static async Task<WrkRun> WrkAsync(string url, string tokenFile, int connections, int seconds, int delayMs = 0)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", Path.Combine(Report.FindRepositoryRoot(), "bench", "tracking-click.lua"), url })
            start.ArgumentList.Add(a);
        start.Environment["SENDCRAFT_BENCH_TOKENS"] = tokenFile;
        start.Environment["SENDCRAFT_BENCH_DELAY_MS"] = delayMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException("wrk failed: " + await process.StandardError.ReadToEndAsync());
        string Field(string prefix, int index) =>
            output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[index] ?? "0";
        var requests = long.Parse(output.Split('\n').Select(l => l.Trim()).First(l => l.Contains(" requests in ")).Split(' ')[0]);
        var errors = long.Parse(Field("Non-2xx or 3xx responses:", 4));
        var rps = double.Parse(Field("Requests/sec:", 1), System.Globalization.CultureInfo.InvariantCulture);
        return new WrkRun(seconds, requests, errors, rps, Field("50%", 1), Field("99%", 1), output);
    }

    private static async Task<long> CountAsync(string connectionString, string? where = null)
    {
        await using var c = new MySqlConnector.MySqlConnection(connectionString);
        await c.OpenAsync();
        var sql = "SELECT COUNT(*) FROM MessageEvents" + (where is null ? "" : " WHERE " + where);
        return Convert.ToInt64(await new MySqlConnector.MySqlCommand(sql, c).ExecuteScalarAsync());
    }

    private static async Task<long> WaitStableAsync(string connectionString)
    {
        var last = -1L;
        for (var i = 0; i < 120; i++)
        {
            var now = await CountAsync(connectionString);
            if (now == last) return now;
            last = now;
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        return last;
    }
}
