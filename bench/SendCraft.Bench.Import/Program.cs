using System.Diagnostics;
using System.Globalization;
using CsvHelper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Bench.Import;
using SendCraft.Web.Contacts;
using SendCraft.Web.Contacts.Import;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;

// Usage:
//   generate <csv> <rows>
//   run <sqlite|mysql> <connection string> <csv> <comparison csv>
// "run" migrates a fresh database, imports <csv> through the real ContactImporter into a new list, times the
// contacts-page, search and list-page queries at that size, then imports <comparison csv> twice more into new
// workspaces, once through the bulk path and once through plain EF Core (AddRange + SaveChanges per batch),
// and prints a Markdown section for docs/benchmarks.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "generate":
        CsvGenerator.Write(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        return 0;
    case "parse":
    {
        // Diagnostics: the CPU cost of reading and validating alone, without a database.
        var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var sw0 = System.Diagnostics.Stopwatch.StartNew();
        using var r = CsvReader.FromFile(args[1], new CsvReaderOptions { Separator = ',', HasHeader = true, TrackLineNumbers = true });
        long n = 0, ok = 0;
        var tEmail = new System.Diagnostics.Stopwatch(); var tJson = new System.Diagnostics.Stopwatch();
        while (r.Read())
        {
            n++;
            tEmail.Start();
            var valid = ContactEmail.TryNormalize(r.GetString(0), out var e, out _);
            tEmail.Stop();
            if (!valid) continue;
            tJson.Start();
            ContactAttributes.Serialize(new Dictionary<string, string> { ["city"] = r.GetString(2), ["plan"] = r.GetString(3) });
            tJson.Stop();
            ok++;
        }
        Console.WriteLine($"{n} rows, {ok} valid, wall {sw0.Elapsed.TotalSeconds:N2} s, cpu {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds:N2} s, email {tEmail.Elapsed.TotalSeconds:N2} s, json {tJson.Elapsed.TotalSeconds:N2} s");
        return 0;
    }
    case "run":
        if (args[1] == "mysql")
        {
            // A server connection string: the run gets a throwaway database of its own.
            var server = new MySqlConnector.MySqlConnectionStringBuilder(args[2]);
            var name = $"sc_bench_{Environment.ProcessId}";
            await Bench.ExecAsync(server.ConnectionString, $"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
            try
            {
                await Bench.RunAsync("mysql", new MySqlConnector.MySqlConnectionStringBuilder(args[2]) { Database = name }.ConnectionString, args[3], args[4]);
            }
            finally
            {
                MySqlConnector.MySqlConnection.ClearAllPools();
                await Bench.ExecAsync(server.ConnectionString, $"DROP DATABASE IF EXISTS `{name}`");
            }
            return 0;
        }
        await Bench.RunAsync(args[1], args[2], args[3], args[4]);
        return 0;
    default:
        await Task.CompletedTask;
        Console.Error.WriteLine("usage: generate <csv> <rows> | run <sqlite|mysql> <connection string> <csv> <comparison csv>");
        return 2;
}

internal static class Bench
{
    public static async Task ExecAsync(string connectionString, string sql)
    {
        await using var connection = new MySqlConnector.MySqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new MySqlConnector.MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task RunAsync(string provider, string connectionString, string csv, string comparisonCsv)
    {
        var work = Path.Combine(Path.GetTempPath(), $"sendcraft-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            await RunInAsync(work, provider, connectionString, csv, comparisonCsv);
        }
        finally
        {
            // Also when the run fails; bench/import.sh points TMPDIR into its own folder for a process that is killed.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task RunInAsync(string work, string provider, string connectionString, string csv, string comparisonCsv)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = work, EnvironmentName = "Production", Args = [] });
        builder.Configuration["Database:Provider"] = provider == "mysql" ? "MySql" : "Sqlite";
        builder.Configuration["ConnectionStrings:SendCraft"] = connectionString;
        builder.Logging.ClearProviders();
        builder.AddSendCraft();
        await using var app = builder.Build();
        await app.Services.MigrateSendCraftDatabaseAsync();

        var label = provider == "mysql" ? "MariaDB" : "SQLite";
        var rows = CountLines(csv) - 1;
        var baseline = Process.GetCurrentProcess().WorkingSet64;

        // 1. The import at full size.
        var (workspace, list, import, elapsed, memory) = await ImportAsync(app.Services, csv, "bench");
        Console.WriteLine($"### Import of {rows:N0} CSV rows, {label}");
        Console.WriteLine();
        var importCpu = LastCpu;
        Console.WriteLine("| rows read | imported | merged | invalid | wall time | rows/s | CPU time (app process) | working set before | peak working set 1st half | peak working set 2nd half |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {import.RowsRead:N0} | {import.Imported:N0} | {import.Merged:N0} | {import.Invalid:N0} | {elapsed.TotalSeconds:N1} s | {import.RowsRead / elapsed.TotalSeconds:N0} | {importCpu.TotalSeconds:N1} s | {Mb(baseline)} | {Mb(memory.FirstHalf)} | {Mb(memory.SecondHalf)} |");
        Console.WriteLine();

        // 2. The pages' queries at that size (the same code the pages run: ContactSearch + Keyset).
        Console.WriteLine($"### Contact queries with {import.Imported:N0} contacts in one list, {label} (median of 7 runs after one warm-up, 3 when a run takes over 2 s; ms)");
        Console.WriteLine();
        Console.WriteLine("| query | index use | median | max | rows |");
        Console.WriteLine("|---|---|---|---|---|");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
            using var entered = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspace);
            var ids = await db.Contacts.OrderBy(c => c.Id).Select(c => c.Id).Skip((int)(import.Imported / 2)).Take(1).ToListAsync();
            var middle = ids.Single();
            var all = ContactSearch.NewestFirstSource(db).AsNoTracking();
            await Time("contacts page 1", "(WorkspaceId, Id)", () => Keyset.PageAsync(all.AsRows(), null, null, default));
            await Time("contacts page in the middle (after=)", "(WorkspaceId, Id) range", () => Keyset.PageAsync(all.AsRows(), middle, null, default));
            await Time("contacts previous page (before=)", "(WorkspaceId, Id) range", () => Keyset.PageAsync(all.AsRows(), null, middle, default));
            foreach (var (q, index) in new[]
                     {
                         ("olivia.smith.1", "(WorkspaceId, Email) range"),
                         ("olivia@", "(WorkspaceId, Email) range"),
                         ("Olivia Sm", "(WorkspaceId, Name) + (WorkspaceId, Email) ranges, UNION"),
                         ("o", "1-letter prefix, many matches: capped COUNT on the ranges, then (WorkspaceId, Id) walk"),
                         ("city:Lisbon", "none: scan newest first until 51 matches"),
                         ("plan:nonexistent", $"none: no match, so one window of {ContactSearch.AttributeScanWindow:N0} ids scanned (worst case)"),
                     })
            {
                var search = ContactSearch.Parse(q);
                await Time($"search `{q}`", index, async () => await search.PageAsync(db.Contacts, (await search.ApplyForPageAsync(db.Contacts.AsNoTracking(), default, all)).AsRows(), null, null, default));
            }
            await Time("list page 1", "ListMembers key (ListId, ContactId)", () => Keyset.PageAsync(ListRows(db, list), null, null, default));
            await Time("list page in the middle", "ListMembers key (ListId, ContactId)", () => Keyset.PageAsync(ListRows(db, list), middle, null, default));
            foreach (var q in new[] { "olivia.smith.1", "o", "plan:nonexistent" })
            {
                var search = ContactSearch.Parse(q);
                await Time($"list search `{q}`", "as the contacts search, then the ListMembers key per row", async () => await search.PageAsync(
                    db.ListMembers.Where(m => m.ListId == list).Select(m => m.Contact!),
                    (await search.ApplyForPageAsync(db.Contacts.AsNoTracking(), default, all)).Where(c => db.ListMembers.Any(m => m.ListId == list && m.ContactId == c.Id)).AsRows(), null, null, default));
            }
            await Time("lists page (member counts)", "ContactLists, count is a column", async () =>
                new KeysetPage((await db.ContactLists.AsNoTracking().OrderBy(l => l.Name).Select(l => new { l.Id, l.MemberCount }).ToListAsync())
                    .Select(l => new ContactRow { Id = l.Id }).ToList(), null, null));
        }
        Console.WriteLine();

        // 3. The comparison, same run: bulk path against plain EF Core on the same smaller file.
        var compareRows = CountLines(comparisonCsv) - 1;
        var bulk = await ImportAsync(app.Services, comparisonCsv, "bulk");
        var naive = await NaiveImportAsync(app.Services, comparisonCsv);
        Console.WriteLine($"### Bulk path against plain EF Core, {compareRows:N0} rows, {label}, same run");
        Console.WriteLine();
        Console.WriteLine("| path | wall time | rows/s |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| ContactImporter (bulk SQL, 5,000-row batches) | {bulk.Elapsed.TotalSeconds:N2} s | {compareRows / bulk.Elapsed.TotalSeconds:N0} |");
        Console.WriteLine($"| EF Core AddRange + SaveChanges per 5,000-row batch | {naive.TotalSeconds:N2} s | {compareRows / naive.TotalSeconds:N0} |");
        Console.WriteLine();
    }

    private static IQueryable<ContactRow> ListRows(SendCraftDbContext db, long list) =>
        db.ListMembers.AsNoTracking().Where(m => m.ListId == list).Select(m => new ContactRow
            { Id = m.ContactId, Email = m.Contact!.Email, Name = m.Contact.Name, Status = m.Contact.Status, CreatedAt = m.AddedAt });

    private static async Task Time(string name, string index, Func<Task<KeysetPage>> query)
    {
        try
        {
            var sw0 = Stopwatch.StartNew();
            var first = await query();
            var times = new List<double>();
            // A slow query is measured three times rather than seven, so one bad plan cannot hold the run up for minutes.
            var runs = sw0.Elapsed.TotalSeconds > 2 ? 3 : 7;
            for (var i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                await query();
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"| {name} | {index} | {times[runs / 2]:N1} | {times[^1]:N1} | {first.Rows.Count} |");
        }
        catch (Exception e) when (e is MySqlConnector.MySqlException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            Console.WriteLine($"| {name} | {index} | failed: {e.GetBaseException().Message} | | |");
        }
    }

    private sealed record Memory(long FirstHalf, long SecondHalf);

    /// <summary>CPU time of this process during the last import (all threads): on a shared machine, wall time alone misleads.</summary>
    private static TimeSpan LastCpu;

    private static async Task<(long Workspace, long List, ContactImport Import, TimeSpan Elapsed, Memory Memory)> ImportAsync(IServiceProvider services, string csv, string name)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var workspace = new Workspace { Name = $"{name}-{Guid.NewGuid():N}"[..30] };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        using var entered = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspace.Id);
        var list = new ContactList { Name = "Everyone" };
        db.ContactLists.Add(list);
        await db.SaveChangesAsync();
        var header = File.ReadLines(csv).First().Split(',');
        var import = new ContactImport
        {
            ListId = list.Id, FileName = Path.GetFileName(csv), FilePath = csv, FileSize = new FileInfo(csv).Length,
            Separator = ContactImportService.DetectSeparator(csv), Status = ImportStatus.Running, ExistingPolicy = ExistingContactPolicy.Update,
            MappingJson = new ImportMapping(0, 1, Enumerable.Range(2, header.Length - 2).Select(c => new AttributeColumn(c, header[c])).ToList(), header.Length).ToJson(),
        };
        db.ContactImports.Add(import);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        // Sample the working set while the import runs: flat memory means the second half peaks no higher than the first.
        long firstHalf = 0, secondHalf = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            var process = Process.GetCurrentProcess();
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                if (import.BytesRead * 2 < import.FileSize) firstHalf = Math.Max(firstHalf, process.WorkingSet64);
                else secondHalf = Math.Max(secondHalf, process.WorkingSet64);
                try { await Task.Delay(100, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var importer = scope.ServiceProvider.GetRequiredService<ContactImporter>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        await importer.RunAsync(import, default);
        var elapsed = sw.Elapsed;
        LastCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        await sampling.CancelAsync();
        await sampler;
        return (workspace.Id, list.Id, import, elapsed, new Memory(firstHalf, secondHalf));
    }

    /// <summary>The path the bulk writer replaces: same parsing and validation, rows written by EF Core.</summary>
    private static async Task<TimeSpan> NaiveImportAsync(IServiceProvider services, string csv)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var workspace = new Workspace { Name = $"naive-{Guid.NewGuid():N}"[..30] };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        using var entered = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspace.Id);
        var list = new ContactList { Name = "Everyone" };
        db.ContactLists.Add(list);
        await db.SaveChangesAsync();

        var sw = Stopwatch.StartNew();
        using var reader = CsvReader.FromFile(csv, new CsvReaderOptions { Separator = ',', HasHeader = true });
        var seen = new HashSet<string>();
        var batch = new List<Contact>();
        async Task Flush()
        {
            db.Contacts.AddRange(batch);
            await db.SaveChangesAsync();
            db.ListMembers.AddRange(batch.Select(c => new ListMember { ListId = list.Id, ContactId = c.Id }));
            list.MemberCount += batch.Count;
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            db.Attach(list);
            batch.Clear();
        }
        while (reader.Read())
        {
            if (reader.FieldCount != 5 || !ContactEmail.TryNormalize(reader.GetString(0), out var email, out _) || !seen.Add(email)) continue;
            batch.Add(new Contact
            {
                Email = email, Name = reader.GetString(1),
                AttributesJson = ContactAttributes.Serialize(new Dictionary<string, string> { ["city"] = reader.GetString(2), ["plan"] = reader.GetString(3), ["signup_date"] = reader.GetString(4) }),
            });
            if (batch.Count == 5000) await Flush();
        }
        await Flush();
        return sw.Elapsed;
    }

    private static long CountLines(string path)
    {
        long n = 0;
        foreach (var _ in File.ReadLines(path)) n++;
        return n;
    }

    private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024):N0} MB";
}
