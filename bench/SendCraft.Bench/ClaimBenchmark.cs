using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Sending;

namespace SendCraft.Bench;

/// <summary>
/// `bench/run claim`: the worker's claim on MariaDB as the queue grows from 10,000 to 1,000,000 due rows (beside
/// 200,000 rows of sent history): the median time of one claim of 200 rows (the real OutboxStore.ClaimAsync, rows
/// released after each so the queue keeps its size), with the query plan, beside the previous query (ORDER BY DueAt)
/// run on the same rows.
/// </summary>
public static class ClaimBenchmark
{
    private const int Claims = 30, BatchSize = 200;
    private static readonly int[] Sizes = [10_000, 100_000, 1_000_000];

    private const string OrderedClaim = """
        SELECT Id FROM OutboundMessages WHERE Status IN ('Queued', 'Deferred', 'Sending') AND DueAt <= @now
        ORDER BY DueAt LIMIT 200 FOR UPDATE SKIP LOCKED
        """;
    private const string CurrentClaim = """
        SELECT Id FROM OutboundMessages WHERE Status IN ('Deferred', 'Queued', 'Sending') AND DueAt <= @now
        ORDER BY Status, DueAt LIMIT 200 FOR UPDATE SKIP LOCKED
        """;

    public static async Task RunAsync(string[] args)
    {
        var server = Environment.GetEnvironmentVariable("SENDCRAFT_BENCH_MYSQL")
                     ?? throw new InvalidOperationException("SENDCRAFT_BENCH_MYSQL is not set (bench/run claim starts a throwaway MariaDB).");
        var name = $"sc_claim_{Guid.NewGuid():N}"[..24];
        await using (var c = new MySqlConnection(server))
        {
            await c.OpenAsync();
            await new MySqlCommand($"CREATE DATABASE `{name}`", c).ExecuteNonQueryAsync();
        }
        var connectionString = new MySqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        var dir = Directory.CreateTempSubdirectory("sendcraft-claim-").FullName;
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dir, EnvironmentName = "Benchmark" });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = "MySql", ["ConnectionStrings:SendCraft"] = connectionString,
                ["Sending:WorkersEnabled"] = "false", ["Sending:BatchSize"] = BatchSize.ToString(),
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.AddSendCraft();
            await using var app = builder.Build();
            await app.Services.MigrateSendCraftDatabaseAsync();
            var (workspace, account, content) = await SeedAccountAsync(app.Services);

            await using var sql = new MySqlConnection(connectionString);
            await sql.OpenAsync();
            await InsertRowsAsync(sql, workspace, account, content, 200_000, "Sent", 0);
            var rows = new List<(int Size, double Current, double Ordered, string CurrentPlan, string OrderedPlan)>();
            var inserted = 0;
            foreach (var size in Sizes)
            {
                await InsertRowsAsync(sql, workspace, account, content, size - inserted, "Queued", 200_000 + inserted);
                inserted = size;
                await new MySqlCommand("ANALYZE TABLE OutboundMessages", sql).ExecuteNonQueryAsync();
                var current = await MedianMsAsync(() => ClaimAndReleaseAsync(app.Services));
                var ordered = await MedianMsAsync(() => RawClaimAsync(sql, OrderedClaim));
                rows.Add((size, current, ordered, await PlanAsync(sql, CurrentClaim), await PlanAsync(sql, OrderedClaim)));
                Console.WriteLine($"{size,9:N0} due rows: claim {current:0.00} ms (ORDER BY DueAt: {ordered:0.00} ms)");
            }

            var md = new StringBuilder();
            md.AppendLine("## Claim cost as the queue grows (`bench/run claim`)").AppendLine();
            md.AppendLine($"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}, MariaDB from Debian, throwaway server.").AppendLine();
            md.AppendLine($"Median of {Claims} claims of {BatchSize} rows each (lease taken, rows and content loaded, then released so the queue keeps " +
                          "its size), beside 200,000 rows of sent history. The comparison is the previous claim query, which ordered every due row by DueAt.").AppendLine();
            md.AppendLine("| Due rows | Claim (`OutboxStore.ClaimAsync`) | Previous query alone (ORDER BY DueAt, SELECT … FOR UPDATE) |");
            md.AppendLine("|---:|---:|---:|");
            foreach (var r in rows) md.AppendLine($"| {r.Size:N0} | {r.Current:0.00} ms | {r.Ordered:0.00} ms |");
            md.AppendLine().AppendLine($"Plan of the claim's SELECT at {Sizes[^1]:N0} due rows (`EXPLAIN`):").AppendLine();
            md.AppendLine("```").AppendLine(rows[^1].CurrentPlan).AppendLine("```").AppendLine();
            md.AppendLine("The previous query's plan at the same size:").AppendLine();
            md.AppendLine("```").AppendLine(rows[^1].OrderedPlan).AppendLine("```");
            if (!args.Contains("--no-write")) Report.WriteSection("claim", md.ToString());
            else Console.WriteLine(md);

            await using var drop = new MySqlConnection(server);
            await drop.OpenAsync();
            await new MySqlCommand($"DROP DATABASE `{name}`", drop).ExecuteNonQueryAsync();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(long Workspace, long Account, long Content)> SeedAccountAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var workspace = new Workspace { Name = "Claim" };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        var domain = new SendingDomain { WorkspaceId = workspace.Id, Name = "claim.test" };
        db.SendingDomains.Add(domain);
        await db.SaveChangesAsync();
        var account = new SmtpAccount { WorkspaceId = workspace.Id, DomainId = domain.Id, FromEmail = "news@claim.test", Host = "127.0.0.1", Port = 9 };
        db.SmtpAccounts.Add(account);
        var content = SendingBenchmark.BenchContent(workspace.Id, account.FromEmail);
        db.MessageContents.Add(content);
        await db.SaveChangesAsync();
        return (workspace.Id, account.Id, content.Id);
    }

    /// <summary>Rows straight from MariaDB's sequence engine: a million inserts in seconds.</summary>
    private static async Task InsertRowsAsync(MySqlConnection sql, long workspace, long account, long content, int count, string status, int offset)
    {
        var started = Stopwatch.StartNew();
        for (var done = 0; done < count; done += 100_000)
        {
            var n = Math.Min(100_000, count - done);
            var from = offset + done + 1;
            await using var insert = new MySqlCommand($"""
                INSERT INTO OutboundMessages (WorkspaceId, SmtpAccountId, ContentId, Recipient, MessageId, Status, DueAt, Attempts, CreatedAt, SentAt)
                SELECT {workspace}, {account}, {content}, CONCAT('user', seq, '@rcpt.test'), CONCAT(seq, '@claim.test'), '{status}',
                       UTC_TIMESTAMP(6) - INTERVAL (seq MOD 3600) SECOND, 0, UTC_TIMESTAMP(6), {(status == "Sent" ? "UTC_TIMESTAMP(6)" : "NULL")}
                FROM seq_{from}_to_{from + n - 1}
                """, sql) { CommandTimeout = 600 };
            await insert.ExecuteNonQueryAsync();
        }
        Console.WriteLine($"inserted {count:N0} {status} rows in {started.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task ClaimAndReleaseAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<OutboxStore>();
        var batch = await store.ClaimAsync(BatchSize, CancellationToken.None);
        if (batch.Count != BatchSize) throw new InvalidOperationException($"Claimed {batch.Count} rows, expected {BatchSize}.");
        await store.ReleaseAllAsync(CancellationToken.None);
    }

    private static async Task RawClaimAsync(MySqlConnection sql, string query)
    {
        await using var tx = await sql.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted);
        await using var command = new MySqlCommand(query, sql, tx);
        command.Parameters.AddWithValue("@now", DateTime.UtcNow);
        await using (var reader = await command.ExecuteReaderAsync()) while (await reader.ReadAsync()) { }
        await tx.RollbackAsync();
    }

    /// <summary>Only the claim is timed; a release after ClaimAndRelease is part of it (one UPDATE of 200 rows by lease owner).</summary>
    private static async Task<double> MedianMsAsync(Func<Task> op)
    {
        await op(); // warm-up
        var times = new List<double>();
        for (var i = 0; i < Claims; i++)
        {
            var watch = Stopwatch.StartNew();
            await op();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static async Task<string> PlanAsync(MySqlConnection sql, string query)
    {
        await using var command = new MySqlCommand("EXPLAIN " + query.Replace(" FOR UPDATE SKIP LOCKED", ""), sql);
        command.Parameters.AddWithValue("@now", DateTime.UtcNow);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            var cells = Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={(reader.IsDBNull(i) ? "NULL" : reader.GetValue(i))}");
            lines.Add(string.Join(" | ", cells));
        }
        return string.Join("\n", lines);
    }
}
