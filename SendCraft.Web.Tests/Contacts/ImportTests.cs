using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Contacts;
using SendCraft.Web.Contacts.Import;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Contacts;

public abstract class ImportTests(DatabaseKind kind)
{
    private static byte[] Utf8(string text, bool bom = false) =>
        (bom ? new byte[] { 0xEF, 0xBB, 0xBF } : []).Concat(Encoding.UTF8.GetBytes(text)).ToArray();

    [Fact]
    public async Task Import_SemicolonsBomQuotedNewlines_ImportsValidRows_ReportsInvalidShortAndDuplicateRowsByLine()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var list = await app.AddListAsync(acme, "Imported");
        var text = new MemoryStream();
        void Line(string s) => text.Write(Encoding.UTF8.GetBytes(s + "\r\n"));
        text.Write([0xEF, 0xBB, 0xBF]);
        Line("Email;Full Name;City;Plan");                                  // 1
        Line("ann@example.com;Ann;Berlin;pro");                              // 2
        Line("\"bob@example.com\";\"Bob \"\"The Builder\"\"\";\"Multi");     // 3: a quoted field with a line break ...
        Line("line city\";free");                                            // 4  ... ends here
        Line("not-an-email;Nobody;X;Y");                                     // 5: bad email
        Line("carol@example.com;Carol;Paris");                               // 6: 3 columns: imported, Plan blank, a warning
        text.Write(Encoding.UTF8.GetBytes("dave@example.com;D"));            // 7: not UTF-8
        text.Write([0xFF, 0xFE]);
        Line(";Rome;pro");
        Line("ANN@Example.com;;Hamburg;");                                   // 8: repeat of line 2: the first row wins
        Line("=cmd|' /C calc'!A0;x;y;z");                                    // 9: bad email that looks like a formula
        Line("erin@Example.COM;Erin;Oslo;pro");                              // 10

        var importId = await owner.UploadCsvAsync(list.Id, text.ToArray(), "people.csv");
        var mapping = await owner.GetPageAsync($"/imports/{importId}");
        Assert.Equal("Email", mapping.QuerySelector("#email-column option[selected]")!.TextContent);
        Assert.Equal("Full Name", mapping.QuerySelector("#name-column option[selected]")!.TextContent);
        Assert.Equal(["Email", "Full Name", "City", "Plan"], mapping.QuerySelectorAll("#import-preview th").Select(t => t.TextContent).ToArray());
        Assert.Equal("Bob \"The Builder\"", mapping.QuerySelectorAll("#import-preview tbody tr")[1].Children[1].TextContent);
        Assert.Equal("Multi\r\nline city", mapping.QuerySelectorAll("#import-preview tbody tr")[1].Children[2].TextContent);

        Assert.Equal(HttpStatusCode.Redirect, (await owner.StartImportAsync(importId)).StatusCode);
        var import = await app.WaitForImportAsync(importId);

        Assert.Equal(ImportStatus.Completed, import.Status);
        Assert.Equal((8L, 4L, 0L, 0L, 1L, 3L), (import.RowsRead, import.Imported, import.Updated, import.Skipped, import.Merged, import.Invalid));
        var contacts = (await app.ContactsOfAsync(acme)).ToDictionary(c => c.Email);
        Assert.Equal(["ann@example.com", "bob@example.com", "carol@example.com", "erin@example.com"], contacts.Keys.Order().ToArray());
        Assert.Equal(("Ann", """{"city":"Berlin","plan":"pro"}"""), (contacts["ann@example.com"].Name, contacts["ann@example.com"].AttributesJson));
        Assert.Equal(("Carol", """{"city":"Paris"}"""), (contacts["carol@example.com"].Name, contacts["carol@example.com"].AttributesJson));
        Assert.Equal(("Bob \"The Builder\"", """{"city":"Multi\r\nline city","plan":"free"}"""), (contacts["bob@example.com"].Name, contacts["bob@example.com"].AttributesJson));
        Assert.Equal(4, await app.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().Where(l => l.Id == list.Id).Select(l => l.MemberCount).SingleAsync()));
        Assert.Equal(4, await app.QueryAsync(db => db.ListMembers.IgnoreQueryFilters().CountAsync(m => m.ListId == list.Id)));

        var progress = await owner.GetPageAsync($"/imports/{importId}");
        Assert.Equal("Completed", progress.Text("#import-status"));
        Assert.Equal("100", progress.QuerySelector("#import-progress")!.GetAttribute("aria-valuenow"));
        Assert.Equal(("8", "4", "1", "3", "1"), (progress.Text("#import-rows-read"), progress.Text("#import-imported"), progress.Text("#import-merged"), progress.Text("#import-invalid"), progress.Text("#import-warnings")));
        Assert.Contains("(3 invalid, 1 duplicate, 1 warning rows)", progress.Text("#import-error-report"));
        Assert.Null(progress.QuerySelector("#import-progress-panel")!.GetAttribute("hx-trigger")); // polling stops when done

        var report = await owner.GetAsync(progress.QuerySelector("#import-error-report")!.GetAttribute("href")!);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var lines = (await report.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("line,reason,record", lines[0]);
        Assert.Equal(["5", "6", "7", "8", "9"], lines.Skip(1).Select(l => l.Split(',')[0]).ToArray());
        Assert.Contains("'not-an-email' is not a valid email address.", lines[1]);
        Assert.Contains("Warning: expected 4 columns, found 3; imported with the missing fields blank.", lines[2]);
        Assert.Contains("Not valid UTF-8", lines[3]);
        Assert.Contains("Duplicate: an earlier row has the email ann@example.com (the first row with an email wins); not imported.", lines[4]);
        Assert.EndsWith(",\"'=cmd|' /C calc'!A0;x;y;z\"", lines[5]); // escaped: a spreadsheet shows it as text
        Assert.False(File.Exists(import.FilePath)); // the upload is deleted once imported
    }

    [Fact]
    public async Task Import_ExistingContacts_SkipKeepsThem_UpdateMergesThem_StatusNeverChanges()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var first = await app.AddListAsync(acme, "First");
        var second = await app.AddListAsync(acme, "Second");
        await app.AddContactAsync(acme, "ann@example.com", "Ann Original", new() { ["city"] = "Rome", ["vip"] = "yes" }, ContactStatus.Unsubscribed);
        var csv = Utf8("email,name,city\nann@example.com,Ann New,Berlin\nnew@example.com,New Person,Oslo\n");

        var skipped = await app.ImportCsvAsync(owner, first.Id, csv, new() { ["policy"] = "Skip" });
        Assert.Equal((1L, 0L, 1L), (skipped.Imported, skipped.Updated, skipped.Skipped));
        var ann = (await app.ContactsOfAsync(acme)).Single(c => c.Email == "ann@example.com");
        Assert.Equal(("Ann Original", """{"city":"Rome","vip":"yes"}"""), (ann.Name, ann.AttributesJson));
        Assert.Equal(2, await app.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().Where(l => l.Id == first.Id).Select(l => l.MemberCount).SingleAsync()));

        var updated = await app.ImportCsvAsync(owner, second.Id, csv, new() { ["policy"] = "Update" });
        Assert.Equal((0L, 2L, 0L), (updated.Imported, updated.Updated, updated.Skipped));
        ann = (await app.ContactsOfAsync(acme)).Single(c => c.Email == "ann@example.com");
        Assert.Equal(("Ann New", """{"city":"Berlin","vip":"yes"}""", ContactStatus.Unsubscribed), (ann.Name, ann.AttributesJson, ann.Status));
        Assert.Equal(2, (await app.ContactsOfAsync(acme)).Count);
        Assert.Equal(2, await app.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().Where(l => l.Id == second.Id).Select(l => l.MemberCount).SingleAsync()));
    }

    [Fact]
    public async Task Import_100000Rows_ImportsEveryValidRow_AcrossBatches_WithLaterRepeatsReportedAsDuplicates()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var list = await app.AddListAsync(acme, "Everyone");
        var csv = new StringBuilder("email,name,city,plan\n");
        for (var i = 1; i <= 100_000; i++)
        {
            if (i % 1000 == 0) csv.Append("bad-email-").Append(i).Append(",Bad,Nowhere,none\n");          // 100 invalid
            else if (i % 10_000 == 1 && i > 1) csv.Append("user1@example.com,User One,Repeat ").Append(i).Append(",pro\n"); // 9 repeats, in later batches
            else csv.Append("user").Append(i).Append("@example.com,User ").Append(i).Append(",City ").Append(i % 97).Append(",free\n");
        }

        var import = await app.ImportCsvAsync(owner, list.Id, Utf8(csv.ToString()));

        Assert.Equal(ImportStatus.Completed, import.Status);
        Assert.Equal((100_000L, 99_891L, 0L, 0L, 9L, 100L), (import.RowsRead, import.Imported, import.Updated, import.Skipped, import.Merged, import.Invalid));
        Assert.Equal(99_891, await app.QueryAsync(db => db.Contacts.IgnoreQueryFilters().CountAsync(c => c.WorkspaceId == acme)));
        Assert.Equal(99_891, await app.QueryAsync(db => db.ListMembers.IgnoreQueryFilters().CountAsync(m => m.ListId == list.Id)));
        Assert.Equal(99_891, await app.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().Where(l => l.Id == list.Id).Select(l => l.MemberCount).SingleAsync()));
        var user1 = await app.QueryAsync(db => db.Contacts.IgnoreQueryFilters().SingleAsync(c => c.WorkspaceId == acme && c.Email == "user1@example.com"));
        Assert.Equal("""{"city":"City 1","plan":"free"}""", user1.AttributesJson); // the first row wins, also across batches
        var duplicateLines = File.ReadAllLines(import.ErrorFilePath!).Where(l => l.Contains("Duplicate:")).Select(l => l.Split(',')[0]).ToArray();
        Assert.Equal(Enumerable.Range(1, 9).Select(k => (k * 10_000 + 1 + 1).ToString()).ToArray(), duplicateLines); // data row i is line i + 1
        Assert.Equal(import.FileSize, import.BytesRead);
    }

    [Fact]
    public async Task Upload_OverTheConfiguredLimit_IsRefused_AndQueuesNoImport()
    {
        await using var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?> { ["Contacts:Import:MaxUploadBytes"] = "4000" });
        var owner = await app.SetUpOwnerAsync();
        var list = await app.AddListAsync(await app.WorkspaceIdAsync("Acme"), "Limited");
        var big = Utf8("email\r\n" + string.Concat(Enumerable.Range(0, 400).Select(i => $"person{i}@example.com\r\n")));

        var page = await owner.GetPageAsync($"/lists/{list.Id}/import");
        var token = page.QuerySelector("#upload-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" }, { new ByteArrayContent(big), "file", "big.csv" } };
        var refused = await owner.Client.PostAsync($"/lists/{list.Id}/import", form);

        Assert.False(refused.IsSuccessStatusCode || refused.StatusCode == HttpStatusCode.Redirect, $"A {big.Length:N0}-byte upload over a 4,000-byte limit answered {(int)refused.StatusCode}.");
        Assert.Equal(0, await app.QueryAsync(db => db.ContactImports.IgnoreQueryFilters().CountAsync()));
        await owner.UploadCsvAsync(list.Id, Utf8("email\r\nann@example.com\r\n")); // under the limit: accepted
    }

    [Fact]
    public async Task Import_RowWithFewerFieldsThanTheHeader_IsImportedWithBlanks_AndReportedAsAWarning()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var list = await app.AddListAsync(acme, "L");
        var csv = Utf8("email,name,city,plan\nann@example.com,Ann,Berlin,pro\nbob@example.com,Bob\ncarol@example.com\n,Nobody\ndave@example.com,Dave,Rome,pro,extra\n");

        var import = await app.ImportCsvAsync(owner, list.Id, csv);

        Assert.Equal((5L, 3L, 0L, 2L), (import.RowsRead, import.Imported, import.Merged, import.Invalid));
        var contacts = (await app.ContactsOfAsync(acme)).ToDictionary(c => c.Email);
        Assert.Equal(["ann@example.com", "bob@example.com", "carol@example.com"], contacts.Keys.Order().ToArray());
        Assert.Equal(("Bob", "{}"), (contacts["bob@example.com"].Name, contacts["bob@example.com"].AttributesJson));
        Assert.Equal("", contacts["carol@example.com"].Name);
        var report = File.ReadAllLines(import.ErrorFilePath!);
        // Reasons with commas are quoted in the report.
        Assert.Contains(report, l => l.StartsWith("3,\"Warning: expected 4 columns, found 2; imported with the missing fields blank.\","));
        Assert.Contains(report, l => l.StartsWith("4,\"Warning: expected 4 columns, found 1;"));
        Assert.Contains(report, l => l.StartsWith("5,"));     // an empty email: invalid
        Assert.Contains(report, l => l.StartsWith("6,\"Expected 4 columns, found 5.\","));
        var progress = await owner.GetPageAsync($"/imports/{import.Id}");
        Assert.Equal("2", progress.Text("#import-warnings"));
    }

    [Fact]
    public async Task Import_DuplicateEmails_FirstRowWins_LaterRowsAreReportedWithTheirLines_AndThePreviewSaysSo()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var list = await app.AddListAsync(acme, "L");
        var id = await owner.UploadCsvAsync(list.Id, Utf8("email,name\nann@example.com,Ann First\nbob@example.com,Bob\nAnn@Example.com,Ann Second\nann@example.com,Ann Third\n"));

        var preview = await owner.GetPageAsync($"/imports/{id}");
        Assert.Contains("the first row wins", preview.Text("#import-duplicate-rule"));

        Assert.Equal(HttpStatusCode.Redirect, (await owner.StartImportAsync(id)).StatusCode);
        var import = await app.WaitForImportAsync(id);
        Assert.Equal((4L, 2L, 2L, 0L), (import.RowsRead, import.Imported, import.Merged, import.Invalid));
        Assert.Equal("Ann First", (await app.ContactsOfAsync(acme)).Single(c => c.Email == "ann@example.com").Name);
        var duplicates = File.ReadAllLines(import.ErrorFilePath!).Where(l => l.Contains("Duplicate:")).Select(l => l.Split(',')[0]).ToArray();
        Assert.Equal(["4", "5"], duplicates);
        var progress = await owner.GetPageAsync($"/imports/{id}");
        Assert.Equal("2", progress.Text("#import-merged"));
        Assert.Contains("2 duplicate", progress.Text("#import-error-report"));
    }

    [Fact]
    public async Task Mapping_WithTheSameColumnForEmailAndName_IsRefusedWithAMessage()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var list = await app.AddListAsync(await app.WorkspaceIdAsync("Acme"), "L");
        var id = await owner.UploadCsvAsync(list.Id, Utf8("email,name\na@example.com,A\n"));
        var response = await owner.StartImportAsync(id, new() { ["emailColumn"] = "0", ["nameColumn"] = "0" });
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.True(page.Text("#mapping-error").Contains("The name column must be another column than the email."), page.Text("main"));
        Assert.Equal(ImportStatus.Draft, await app.QueryAsync(db => db.ContactImports.IgnoreQueryFilters().Where(i => i.Id == id).Select(i => i.Status).SingleAsync()));

        var empty = await owner.UploadCsvAsync(list.Id, Utf8("email,name\n"));
        Assert.Contains("The file has a header line but no rows.", (await owner.GetPageAsync($"/imports/{empty}")).Text("main"));
    }

    [Fact]
    public async Task RunningImportWithoutAJob_IsLeftAloneWhileItsHeartbeatIsFresh_ThenScheduledAgain_AndCompletes()
    {
        await using var app = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?> { ["Contacts:Import:PollInterval"] = "00:00:00.200" });
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var list = await app.AddListAsync(acme, "Lost job");
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var file = Path.Combine(Path.GetTempPath(), $"lost-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "email,name\nann@example.com,Ann\nbob@example.com,Bob\n");
        var gone = Path.Combine(Path.GetTempPath(), $"gone-{Guid.NewGuid():N}.csv");
        // As a lost trigger leaves them: Running, a heartbeat, and no Quartz job. One still has its file, one does not.
        async Task<long> SeedAsync(string path) => await app.QueryAsync(async db =>
        {
            var i = new ContactImport
            {
                WorkspaceId = acme, ListId = list.Id, FileName = "lost.csv", FilePath = path, FileSize = File.Exists(path) ? new FileInfo(path).Length : 100,
                Status = ImportStatus.Running, StartedAt = now, HeartbeatAt = now, MappingJson = new ImportMapping(0, 1, [], 2).ToJson(),
            };
            db.ContactImports.Add(i);
            await db.SaveChangesAsync();
            return i.Id;
        });
        var id = await SeedAsync(file);
        var goneId = await SeedAsync(gone);
        await Task.Delay(2500); // a live heartbeat is left alone
        Assert.Equal(ImportStatus.Running, (await app.QueryAsync(db => db.ContactImports.IgnoreQueryFilters().SingleAsync(i => i.Id == id))).Status);

        app.Clock.Advance(TimeSpan.FromMinutes(3));
        var import = await app.WaitForImportAsync(id, timeoutSeconds: 60);
        Assert.Equal((ImportStatus.Completed, 2L, 2L), (import.Status, import.RowsRead, import.Imported));
        Assert.False(File.Exists(file));
        var failed = await app.WaitForImportAsync(goneId, timeoutSeconds: 60);
        Assert.Equal(ImportStatus.Failed, failed.Status);
        var page = await owner.GetPageAsync($"/imports/{goneId}");
        Assert.Contains("The uploaded file is no longer there", page.Text("#import-failure"));
    }
}

public sealed class ImportTests_Sqlite() : ImportTests(DatabaseKind.Sqlite);
public sealed class ImportTests_MariaDb() : ImportTests(DatabaseKind.MariaDb);
