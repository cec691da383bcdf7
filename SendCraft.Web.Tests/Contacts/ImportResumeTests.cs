using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using SendCraft.Web.Contacts.Import;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Contacts;

/// <summary>
/// Imports cut off mid-file resume from their checkpoint and end as one uninterrupted run would: exactly the file's
/// contacts, the counters of the whole file, and the report's lines each once, in order. Small batches put the cut
/// somewhere in the middle; the files have invalid rows, malformed quoting, records spanning two lines, and repeats
/// (after the cut) of emails first seen before it.
/// </summary>
public abstract class ImportResumeTests(DatabaseKind kind)
{
    [Fact]
    public async Task Import_StoppedMidFileByAGracefulShutdown_StaysRunning_AndResumesAtTheNextStart_ExactlyOnce()
    {
        var csv = ResumeCsv.Generate(20_000);
        await using var database = await TestDatabase.CreateAsync(kind);
        var settings = new Dictionary<string, string?>
        {
            // The same Quartz scheduler across the two starts, as one server restarted.
            ["Scheduling:SchedulerName"] = "SendCraft-" + Guid.NewGuid().ToString("N"),
            ["Contacts:Import:BatchSize"] = "100",
            ["Contacts:Import:StaleAfter"] = "00:30:00", // so only Quartz's recovery can resume it here, not the monitor
        };
        long importId, listId, workspaceId;
        var first = SendCraftApp.StartOn(database, settings);
        try
        {
            var owner = await first.SetUpOwnerAsync();
            workspaceId = await first.WorkspaceIdAsync("Acme");
            listId = (await first.AddListAsync(workspaceId, "Everyone")).Id;
            importId = await owner.UploadCsvAsync(listId, csv.Bytes);
            Assert.Equal(HttpStatusCode.Redirect, (await owner.StartImportAsync(importId)).StatusCode);
            await ResumeCsv.WaitForAsync(() => LoadAsync(database, importId), i => i.RowsRead >= 2000 || i.IsFinished, 120);
        }
        finally
        {
            await first.DisposeAsync(); // a graceful shutdown mid-file
        }
        var stopped = await LoadAsync(database, importId);
        Assert.Equal(ImportStatus.Running, stopped.Status);
        Assert.True(stopped.RowsRead < csv.Rows, $"the import finished ({stopped.RowsRead} rows) before the shutdown");
        Assert.Null(stopped.FailureReason);
        Assert.True(File.Exists(stopped.FilePath), "the upload was deleted although the import is not finished");

        await using var second = SendCraftApp.StartOn(database, settings);
        var import = await second.WaitForImportAsync(importId, timeoutSeconds: 180);
        await second.QueryAsync(async db => { await csv.AssertImportedAsync(db, import, workspaceId, listId); return 0; });
    }

    [Fact]
    public async Task Import_WhoseJobIsInterruptedMidFile_AndGone_IsScheduledAgainByTheMonitor_AndResumes()
    {
        var csv = ResumeCsv.Generate(20_000);
        await using var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Contacts:Import:BatchSize"] = "100",
            ["Contacts:Import:PollInterval"] = "00:00:00.200",
        });
        var owner = await app.SetUpOwnerAsync();
        var workspaceId = await app.WorkspaceIdAsync("Acme");
        var listId = (await app.AddListAsync(workspaceId, "Everyone")).Id;
        var importId = await owner.UploadCsvAsync(listId, csv.Bytes);
        Assert.Equal(HttpStatusCode.Redirect, (await owner.StartImportAsync(importId)).StatusCode);
        await ResumeCsv.WaitForAsync(() => LoadAsync(app.Database, importId), i => i.RowsRead >= 2000 || i.IsFinished, 120);

        // Cancelled by an interruption rather than a shutdown: Quartz ends the job, and nothing would run it again.
        var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.Interrupt(ImportScheduler.JobFor(importId));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await scheduler.Exists(ImportScheduler.JobFor(importId)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the interrupted job is still there");
            await Task.Delay(100);
        }
        var cut = await LoadAsync(app.Database, importId);
        Assert.Equal(ImportStatus.Running, cut.Status);
        Assert.True(cut.RowsRead < csv.Rows, $"the import finished ({cut.RowsRead} rows) before the interruption");
        await Task.Delay(1500);
        Assert.Equal(cut.RowsRead, (await LoadAsync(app.Database, importId)).RowsRead); // its heartbeat is fresh: left alone

        app.Clock.Advance(TimeSpan.FromMinutes(3));
        var import = await app.WaitForImportAsync(importId, timeoutSeconds: 180);
        await app.QueryAsync(async db => { await csv.AssertImportedAsync(db, import, workspaceId, listId); return 0; });
    }

    private static async Task<ContactImport> LoadAsync(TestDatabase database, long id)
    {
        await using var db = DirectDb.Open(database);
        return await db.ContactImports.IgnoreQueryFilters().AsNoTracking().SingleAsync(i => i.Id == id);
    }
}

public sealed class ImportResumeTests_Sqlite() : ImportResumeTests(DatabaseKind.Sqlite);
public sealed class ImportResumeTests_MariaDb() : ImportResumeTests(DatabaseKind.MariaDb);

/// <summary>
/// A generated CSV (email,name,city) with what a correct import of it ends with. Row i: every 1000th has a bad email;
/// every 1000th + 500 (after the first thousand) repeats, in other case, the email of row (i / 1000) * 10 + 1 (near the start);
/// every 4000th + 7 has text after a closing quote (malformed, skipped); every 3000th + 1500 has a city spanning two
/// lines, so the lines after it are off from the row numbers.
/// </summary>
public sealed class ResumeCsv
{
    public required byte[] Bytes { get; init; }
    public required int Rows { get; init; }
    public required List<string> Emails { get; init; }
    public required long Invalid { get; init; }
    public required long Duplicates { get; init; }
    public required List<long> ReportLines { get; init; }

    public static ResumeCsv Generate(int rows)
    {
        var text = new StringBuilder("email,name,city\n");
        var emails = new List<string>();
        var report = new List<long>();
        long line = 2, invalid = 0, duplicates = 0;
        for (var i = 1; i <= rows; i++)
        {
            if (i % 1000 == 0)
            {
                text.Append("bad-email-").Append(i).Append(",Bad,Nowhere\n");
                invalid++;
                report.Add(line++);
            }
            else if (i % 1000 == 500 && i > 1000)
            {
                text.Append("USER").Append(i / 1000 * 10 + 1).Append("@Example.com,Repeat,Again\n"); // a valid row near the start
                duplicates++;
                report.Add(line++);
            }
            else if (i % 4000 == 7)
            {
                text.Append("\"user").Append(i).Append("@example.com\"x,Broken,Quote\n");
                invalid++;
                report.Add(line++);
            }
            else if (i % 3000 == 1500)
            {
                text.Append("user").Append(i).Append("@example.com,User ").Append(i).Append(",\"Two\nlines\"\n");
                emails.Add($"user{i}@example.com");
                line += 2;
            }
            else
            {
                text.Append("user").Append(i).Append("@example.com,User ").Append(i).Append(",City ").Append(i % 97).Append('\n');
                emails.Add($"user{i}@example.com");
                line++;
            }
        }
        emails.Sort(StringComparer.Ordinal);
        return new ResumeCsv { Bytes = Encoding.UTF8.GetBytes(text.ToString()), Rows = rows, Emails = emails, Invalid = invalid, Duplicates = duplicates, ReportLines = report };
    }

    /// <summary>The import is complete with the counters of the whole file, each row's contact exists once, the list has them all, and the report has each line once.</summary>
    public async Task AssertImportedAsync(SendCraftDbContext db, ContactImport import, long workspaceId, long listId)
    {
        Assert.Equal(ImportStatus.Completed, import.Status);
        Assert.Equal(((long)Rows, (long)Emails.Count, 0L, 0L, Duplicates, Invalid),
            (import.RowsRead, import.Imported, import.Updated, import.Skipped, import.Merged, import.Invalid));
        Assert.Equal(import.FileSize, import.BytesRead);
        var contacts = await db.Contacts.IgnoreQueryFilters().Where(c => c.WorkspaceId == workspaceId).Select(c => c.Email).ToListAsync();
        contacts.Sort(StringComparer.Ordinal);
        Assert.Equal(Emails.Count, contacts.Count);
        Assert.True(Emails.SequenceEqual(contacts), "the contacts differ from the file's valid rows");
        Assert.Equal(Emails.Count, await db.ListMembers.IgnoreQueryFilters().CountAsync(m => m.ListId == listId));
        Assert.Equal(Emails.Count, await db.ContactLists.IgnoreQueryFilters().Where(l => l.Id == listId).Select(l => l.MemberCount).SingleAsync());

        var bytes = await File.ReadAllBytesAsync(import.ErrorFilePath!);
        Assert.Equal(1, Encoding.Latin1.GetString(bytes).Split("\u00EF\u00BB\u00BF").Length - 1); // one byte order mark, at the start
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var report = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("line,reason,record", report[0]);
        Assert.Equal(ReportLines, report.Skip(1).Select(l => long.Parse(l.Split(',')[0])).ToList());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.Exists(import.FilePath) && DateTime.UtcNow < deadline) await Task.Delay(100); // deleted just after the last commit
        Assert.False(File.Exists(import.FilePath), "the upload is kept after the import completed");
    }

    public static async Task<ContactImport> WaitForAsync(Func<Task<ContactImport>> load, Func<ContactImport, bool> done, int timeoutSeconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var import = await load();
            if (done(import)) return import;
            Assert.True(DateTime.UtcNow < deadline, $"Import {import.Id} is {import.Status} with {import.RowsRead} rows read after {timeoutSeconds} s.");
            await Task.Delay(20);
        }
    }
}
