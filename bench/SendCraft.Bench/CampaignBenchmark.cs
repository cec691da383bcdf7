using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SendCraft.Web.Campaigns;
using SendCraft.Web.Contacts.Import;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Sending;

namespace SendCraft.Bench;

/// <summary>
/// `bench/run campaign`: a campaign to a list of a million contacts with attributes, the newsletter template of
/// `bench/run render`, DKIM, into smtp-sink over 4 connections, on SQLite and MariaDB. The app runs as its own process
/// (SendCraft.Web.dll, Release), so its resident memory is measured alone (sampled from /proc during expansion and
/// sending); this process seeds the database and presses "send now" through an in-process instance that runs no jobs
/// and no workers. Beside it, in the same run, the raw outbox rate of `bench/run sending` (pre-built rows, no rendering).
/// </summary>
public static class CampaignBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var contacts = IntArg(args, "--contacts", 1_000_000);
        var connections = IntArg(args, "--connections", 4);
        var rawMessages = IntArg(args, "--raw-messages", 100_000);
        var write = !args.Contains("--no-write");
        var sinkPort = SendingBenchmark.StartSink(out var sink);
        using var _ = sink;
        try
        {
            var rows = new List<(string Label, CampaignRun Campaign, SendingBenchmark.SendCraftRun Raw)>();
            var providers = new List<(DatabaseProvider, string?)> { (DatabaseProvider.Sqlite, null) };
            if (Environment.GetEnvironmentVariable("SENDCRAFT_BENCH_MYSQL") is { Length: > 0 } server) providers.Add((DatabaseProvider.MySql, server));
            foreach (var (provider, mysql) in providers)
            {
                var raw = await SendingBenchmark.SendCraftAsync(provider, mysql, sinkPort, rawMessages, connections);
                var campaign = await CampaignAsync(provider, mysql, sinkPort, contacts, connections);
                rows.Add((raw.Label, campaign, raw));
            }

            var md = new StringBuilder();
            md.AppendLine("## A campaign to a million contacts (`bench/run campaign`)").AppendLine();
            md.AppendLine($"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end.").AppendLine();
            md.AppendLine($"{contacts:N0} contacts with attributes (first_name, last_name, city, company, vip, points) in one list; the newsletter template of " +
                          "`bench/run render` (subject, HTML and text, rendered per recipient when each message is sent; its `articles` loop renders empty because " +
                          "campaign-wide data is not a campaign feature yet, so per-recipient rendering here is cheaper than that benchmark's full newsletter); DKIM " +
                          $"rsa-sha256 per message; smtp-sink on loopback; {connections} connections. The app is its own process (Release); expansion and sending " +
                          "overlap (messages go out as soon as the first chunk is expanded). Raw outbox: `bench/run sending`'s SendCraft row (pre-built rows of " +
                          $"one content, in-process), {rawMessages:N0} messages, same run.").AppendLine();
            md.AppendLine("| Database | Expansion (start → all rows) | Campaign send rate (start → Sent) | Raw outbox rate | Ratio | App peak RSS during expansion | App peak RSS overall |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var (label, c, raw) in rows)
                md.AppendLine($"| {label} | {c.Expansion.TotalSeconds:N1} s ({contacts / c.Expansion.TotalSeconds:N0} contacts/s) | {c.Rate:N0} msg/s | {raw.Rate:N0} msg/s | {c.Rate / raw.Rate:0.00} | {c.PeakRssDuringExpansionMb:N0} MB | {c.PeakRssMb:N0} MB |");
            md.AppendLine().AppendLine("App resident memory sampled every 200 ms during expansion (MB), to show whether it stays flat:").AppendLine();
            foreach (var (label, c, _) in rows)
                md.AppendLine($"- {label}: {string.Join(", ", c.RssDuringExpansion.Where((_, i) => i % Math.Max(1, c.RssDuringExpansion.Count / 12) == 0).Select(v => v.ToString("N0")))}");
            md.AppendLine().AppendLine("Targets (issue 8): send rate at least 0.8 of the raw outbox rate; peak RSS at most 250 MB, flat during expansion.");
            Console.WriteLine(md);
            if (write) Report.WriteSection("campaign", md.ToString());
        }
        finally
        {
            try { sink.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
    }

    private sealed record CampaignRun(TimeSpan Expansion, double Rate, long PeakRssDuringExpansionMb, long PeakRssMb, List<long> RssDuringExpansion);

    private static async Task<CampaignRun> CampaignAsync(DatabaseProvider provider, string? mysqlServer, int sinkPort, int contacts, int connections)
    {
        var dir = Directory.CreateTempSubdirectory("sendcraft-campaign-").FullName;
        string connectionString;
        if (provider == DatabaseProvider.MySql)
        {
            var name = $"sc_camp_{Guid.NewGuid():N}"[..24];
            await using (var c = new MySqlConnector.MySqlConnection(mysqlServer))
            {
                await c.OpenAsync();
                await new MySqlConnector.MySqlCommand($"CREATE DATABASE `{name}`", c).ExecuteNonQueryAsync();
            }
            connectionString = new MySqlConnector.MySqlConnectionStringBuilder(mysqlServer!) { Database = name }.ConnectionString;
        }
        else connectionString = $"Data Source={Path.Combine(dir, "campaign.db")}";
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["ConnectionStrings:SendCraft"] = connectionString,
            ["Sending:PollInterval"] = "00:00:00.050",
            ["Sending:BatchSize"] = "500",
            ["Campaigns:MonitorInterval"] = "00:00:01",
        };

        // The control instance: migrates, seeds, and presses "send now"; it runs no jobs and sends nothing.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dir, EnvironmentName = "Benchmark" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["Sending:WorkersEnabled"] = "false",
            ["Scheduling:RunJobs"] = "false",
            ["Scheduling:SchedulerName"] = "SendCraft",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddSendCraft();
        await using var control = builder.Build();
        await control.Services.MigrateSendCraftDatabaseAsync();
        var seedWatch = Stopwatch.StartNew();
        var (workspaceId, campaignId) = await SeedAsync(control.Services, sinkPort, contacts, connections);
        Console.WriteLine($"{provider}: seeded {contacts:N0} contacts in {seedWatch.Elapsed.TotalSeconds:N0} s");
        await control.StartAsync();

        using var app = StartApp(dir, settings);
        try
        {
            await WaitHealthyAsync(app.Port);
            await using (var scope = control.Services.CreateAsyncScope())
            {
                using var __ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
                var result = await scope.ServiceProvider.GetRequiredService<CampaignControl>().SendNowAsync(campaignId);
                if (!result.Succeeded) throw new InvalidOperationException(string.Join("; ", result.Problems));
            }
            var rss = new List<long>();
            long peakDuringExpansion = 0;
            Campaign campaign;
            var watch = Stopwatch.StartNew();
            while (true)
            {
                await using var scope = control.Services.CreateAsyncScope();
                campaign = await scope.ServiceProvider.GetRequiredService<SendCraftDbContext>().Campaigns.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == campaignId);
                var now = RssMb(app.Process.Id);
                if (campaign.ExpandedAt is null)
                {
                    rss.Add(now);
                    peakDuringExpansion = Math.Max(peakDuringExpansion, now);
                }
                if (campaign.Status is CampaignStatus.Sent or CampaignStatus.Failed or CampaignStatus.Cancelled) break;
                if (watch.Elapsed > TimeSpan.FromMinutes(40)) throw new TimeoutException($"The campaign is still {campaign.Status} after 40 minutes ({campaign.Expanded:N0} expanded).");
                if (app.Process.HasExited) throw new InvalidOperationException("The app process exited:\n" + app.Output);
                await Task.Delay(200);
            }
            var peak = PeakRssMb(app.Process.Id);
            if (campaign.Status != CampaignStatus.Sent) throw new InvalidOperationException($"The campaign ended {campaign.Status}: {campaign.StatusReason}");
            var started = campaign.StartedAt!.Value;
            var run = new CampaignRun(campaign.ExpandedAt!.Value - started, contacts / (campaign.FinishedAt!.Value - started).TotalSeconds, peakDuringExpansion, peak, rss);
            Console.WriteLine($"{provider}: expansion {run.Expansion.TotalSeconds:N1} s, {run.Rate:N0} msg/s, RSS peak {run.PeakRssDuringExpansionMb} MB during expansion, {run.PeakRssMb} MB overall");
            return run;
        }
        finally
        {
            app.Stop();
            await control.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>An account with DKIM, the contacts (bulk, as an import writes them) in one list, and a draft campaign with the newsletter.</summary>
    private static async Task<(long WorkspaceId, long CampaignId)> SeedAsync(IServiceProvider services, int port, int count, int connections)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<SecretProtector>();
        var workspace = new Workspace { Name = "Bench" };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspace.Id);
        var keys = DkimKeys.Generate();
        var domain = new SendingDomain { Name = "bench.test", DkimSelector = "bench", DkimPrivateKeyProtected = secrets.Protect(keys.PrivateKeyPem), DkimPublicKey = keys.PublicKeyBase64 };
        db.SendingDomains.Add(domain);
        await db.SaveChangesAsync();
        var account = new SmtpAccount
        {
            DomainId = domain.Id, FromEmail = "news@bench.test", FromName = "Bench", Host = "127.0.0.1", Port = port,
            Security = SmtpSecurity.None, MaxConnections = connections, MessagesPerSecond = 1_000_000,
        };
        db.SmtpAccounts.Add(account);
        var list = new ContactList { Name = "Everyone" };
        db.ContactLists.Add(list);
        await db.SaveChangesAsync();

        string[] firstNames = ["Ada", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Radia", "Tim", "Frances"];
        string[] cities = ["Paris", "Berlin", "Lisbon", "Oslo", "Madrid"];
        var writer = BulkContactWriter.For(db);
        await db.Database.OpenConnectionAsync();
        await writer.PrepareConnectionAsync(CancellationToken.None);
        var now = DateTime.UtcNow;
        for (var start = 0; start < count; start += 5000)
        {
            var batch = Enumerable.Range(start, Math.Min(5000, count - start)).Select(i => new ContactWrite(
                $"contact{i}@rcpt.test", $"{firstNames[i % 10]} Tester{i}",
                SendCraft.Web.Contacts.ContactAttributes.Serialize(new Dictionary<string, string>
                {
                    ["first_name"] = firstNames[i % 10], ["last_name"] = $"Tester{i}", ["city"] = cities[i % 5],
                    ["company"] = i % 3 == 0 ? "" : $"Company {i % 17} & Sons", ["vip"] = i % 4 == 0 ? "yes" : "", ["points"] = (1000 + i * 7.5m).ToString(System.Globalization.CultureInfo.InvariantCulture),
                }))).ToList();
            await using var tx = await db.Database.BeginTransactionAsync();
            await writer.UpsertAsync(workspace.Id, batch, now, CancellationToken.None);
            await writer.AddToListAsync(workspace.Id, list.Id, batch.Select(b => b.Email).ToList(), now, CancellationToken.None);
            await tx.CommitAsync();
        }
        await writer.RestoreConnectionAsync();
        await db.Database.CloseConnectionAsync();

        var campaign = new Campaign
        {
            Name = "Bench newsletter", Subject = RenderBenchmark.NewsletterSubject, HtmlBody = RenderBenchmark.NewsletterHtml, TextBody = RenderBenchmark.NewsletterText,
            SmtpAccountId = account.Id, Lists = [new CampaignList { ListId = list.Id }],
        };
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        return (workspace.Id, campaign.Id);
    }

    internal sealed class AppUnderTest(Process process, int port) : IDisposable
    {
        private readonly StringBuilder _output = new();
        public Process Process { get; } = process;
        public int Port { get; } = port;
        public string Output { get { lock (_output) return _output.ToString(); } }
        public void Append(string line) { lock (_output) _output.AppendLine(line); }

        public void Stop()
        {
            try { Process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            Process.WaitForExit();
        }

        public void Dispose() => Process.Dispose();
    }

    internal static AppUnderTest StartApp(string dir, Dictionary<string, string?> settings)
    {
        var root = Report.FindRepositoryRoot();
        var dll = Path.Combine(root, "SendCraft.Web", "bin", "Release", "net10.0", "SendCraft.Web.dll");
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, "--contentRoot", dir, "--urls", $"http://127.0.0.1:{port}" }) start.ArgumentList.Add(a);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Benchmark";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        var process = Process.Start(start)!;
        var app = new AppUnderTest(process, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) app.Append(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) app.Append("[stderr] " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    internal static async Task WaitHealthyAsync(int port, int seconds = 60)
    {
        using var http = new HttpClient();
        for (var i = 0; i < seconds * 10; i++)
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The app did not become healthy in {seconds} s.");
    }

    private static long RssMb(int pid) => ReadStatusKb(pid, "VmRSS:") / 1024;
    private static long PeakRssMb(int pid) => ReadStatusKb(pid, "VmHWM:") / 1024;

    private static long ReadStatusKb(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { return 0; }
    }

    internal static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
