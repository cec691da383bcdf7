using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SendCraft.Web.Contacts;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// Importing contacts from a CSV file in a real browser against the built app: create a list, upload a 3,000-row
/// semicolon-separated UTF-8 file (BOM, a quoted field with a line break, bad emails, a row with a column too many,
/// repeated emails), check the preview, map the columns, watch the progress bar until the import completes, read the
/// counters, download the error report and find each bad line with its reason, and see the members on the list page.
/// Screenshots go to TestResults/screenshots/ImportFlow/.
/// </summary>
public sealed class ImportFlowTests(ITestOutputHelper output)
{
    private const string ListName = "Newsletter readers";
    private const string FileName = "readers.csv";
    private const int Records = 3000;
    private static readonly TimeSpan ImportBound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Owner_CreatesList_ImportsCsv_WatchesProgress_DownloadsErrorReport_AndSeesTheMembers()
    {
        // A small batch size: the 3,000 rows are written in six batches, so the repeats (rows 1800 and 2600 repeat
        // rows 800 and 1600) are found as duplicates across batches, and the bar has steps to show when the poll catches one.
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
        {
            ["Contacts:Import:BatchSize"] = "500",
            ["Contacts:Import:PollInterval"] = "00:00:00.500",
        });
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "ImportFlow"));
        var page = browser.Page;
        var folder = Directory.CreateTempSubdirectory("sendcraft-import-");
        try
        {
            var csv = ReadersCsv.Write(Path.Combine(folder.FullName, FileName));
            await BrowserSteps.SetUpOwnerAsync(browser, "Acme Mail");

            // 1. Create the list on /lists; the table refreshes with it, still empty.
            await page.GotoAsync("/lists");
            await page.Locator("#list-name").FillAsync(ListName);
            await page.Locator("#list-description").FillAsync("Everyone from the 2026 reader survey");
            await page.Locator("#create-list").ClickAsync();
            var row = page.Locator("#list-rows tr", new() { HasText = ListName });
            await Expect(row).ToHaveCountAsync(1);
            await Expect(row.Locator(".member-count")).ToHaveTextAsync("0");
            await browser.ScreenshotAsync("list-created");

            // 2. Open the list and its CSV import.
            await row.GetByRole(AriaRole.Link, new() { Name = ListName }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(@"/lists/\d+$"));
            await Expect(page.Locator("main h1")).ToHaveTextAsync(ListName);
            await Expect(page.Locator("#member-count")).ToHaveTextAsync("0");
            await page.Locator("#import-csv").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(@"/lists/\d+/import$"));
            await Expect(page.Locator("main h1")).ToHaveTextAsync($"Import contacts into {ListName}");

            // 3. Upload the file: the mapping step opens with the header and the first rows, BOM gone, ; detected.
            await page.Locator("#import-file").SetInputFilesAsync(csv.Path);
            await browser.ScreenshotAsync("upload-chosen");
            await page.Locator("#upload-file").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(@"/imports/\d+$"));
            await Expect(page.Locator("main h1")).ToHaveTextAsync($"Import into {ListName}");
            await Expect(page.Locator("main .page-header")).ToContainTextAsync(FileName);
            await Expect(page.Locator("main .page-header code")).ToHaveTextAsync(";");
            var preview = page.Locator("#import-preview");
            await Expect(preview.Locator("thead th")).ToHaveTextAsync(["email", "name", "city"]);
            await Expect(preview.Locator("tbody tr")).ToHaveCountAsync(5);
            await Expect(preview.Locator("tbody tr").Nth(0).Locator("td")).ToHaveTextAsync(["reader1@example.com", "Reader 1", "City 1"]);
            await Expect(preview.Locator("tbody tr").Nth(1).Locator("td")).ToHaveTextAsync(["reader2@example.com", ReadersCsv.QuotedName, ReadersCsv.MultiLineCity]);
            await browser.ScreenshotAsync("preview-and-mapping");

            // 4. Map the columns: email, name, and city as the attribute "city"; new contacts only, so Skip.
            await page.Locator("#email-column").SelectOptionAsync(new SelectOptionValue { Label = "email" });
            await page.Locator("#name-column").SelectOptionAsync(new SelectOptionValue { Label = "name" });
            await page.Locator("#attr-2").CheckAsync();
            await page.Locator("input[name='key2']").FillAsync("city");
            await page.Locator("#policy-skip").CheckAsync();
            await page.Locator("#start-import").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(@"/imports/\d+$"));
            await Expect(page.Locator("#import-progress")).ToBeVisibleAsync();
            await browser.ScreenshotAsync("import-started");

            // 5. Watch the bar: the page polls by itself; the percentage only grows, and the status ends at Completed.
            var seen = await WatchProgressAsync(page);
            output.WriteLine("Progress seen: " + string.Join(" → ", seen.Select(p => p + " %")));
            Assert.True(seen.Count > 0 && seen[^1] == 100, "Percentages seen: " + string.Join(", ", seen));
            Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First <= p.Second), "The bar went backwards: " + string.Join(", ", seen));
            await Expect(page.Locator("#import-status")).ToHaveTextAsync("Completed");
            await Expect(page.Locator("#import-progress")).ToHaveAttributeAsync("aria-valuenow", "100");
            await Expect(page.Locator("#import-failure")).ToHaveCountAsync(0);
            await Expect(page.Locator("#import-progress-panel")).Not.ToHaveAttributeAsync("hx-trigger", new Regex(".")); // polling stopped

            // 6. The counters: every valid distinct row imported, the four bad rows invalid, the two repeats duplicates.
            await Expect(page.Locator("#import-rows-read")).ToHaveTextAsync(Number(Records));
            await Expect(page.Locator("#import-imported")).ToHaveTextAsync(Number(csv.DistinctValid));
            await Expect(page.Locator("#import-updated")).ToHaveTextAsync("0");
            await Expect(page.Locator("#import-skipped")).ToHaveTextAsync("0");
            await Expect(page.Locator("#import-merged")).ToHaveTextAsync(Number(csv.Repeats));
            await Expect(page.Locator("#import-invalid")).ToHaveTextAsync(Number(csv.Bad.Count));
            await browser.ScreenshotAsync("import-completed");

            // 7. The report: one line per bad row, with the line number where it starts in the file and why, and one per
            //    duplicate (the first row with an email wins).
            var link = page.Locator("#import-error-report");
            await Expect(link).ToContainTextAsync($"({csv.Bad.Count} invalid, {csv.RepeatLines.Count} duplicate");
            var download = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
            Assert.Equal(Path.GetFileNameWithoutExtension(FileName) + "-errors.csv", download.SuggestedFilename);
            var reportPath = Path.Combine(folder.FullName, download.SuggestedFilename);
            await download.SaveAsAsync(reportPath);
            var report = (await File.ReadAllTextAsync(reportPath)).TrimStart('\uFEFF')
                .Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("line,reason,record", report[0]);
            var duplicates = report.Skip(1).Where(l => l.Contains("Duplicate:")).ToList();
            Assert.Equal(csv.RepeatLines.Select(l => l.ToString()), duplicates.Select(l => l.Split(',')[0]));
            var invalid = report.Skip(1).Where(l => !l.Contains("Duplicate:")).ToList();
            Assert.Equal(csv.Bad.Select(b => b.Line.ToString()), invalid.Select(l => l.Split(',')[0]));
            foreach (var (bad, line) in csv.Bad.Zip(invalid))
            {
                Assert.Contains(bad.Reason, line);
                Assert.Contains(bad.Text, line);
            }
            await browser.ScreenshotAsync("error-report-downloaded");

            // 8. The list page counts the members, and lists the import.
            await page.GetByRole(AriaRole.Link, new() { Name = "Go to the list" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(@"/lists/\d+$"));
            await Expect(page.Locator("#member-count")).ToHaveTextAsync(Number(csv.DistinctValid));
            await Expect(page.Locator("#member-rows tr", new() { HasText = "reader3000@example.com" })).ToHaveCountAsync(1);
            await Expect(page.Locator(".list-group-item", new() { HasText = FileName })).ToContainTextAsync(new Regex($"Completed · {Digits(Records)} rows"));
            await browser.ScreenshotAsync("list-with-members");

            // 9. A member from the multi-line row kept its name and its city attribute, line break included.
            await page.Locator("#member-search").FillAsync("reader2@example.com");
            var member = page.Locator("#member-rows tr", new() { HasText = "reader2@example.com" });
            await Expect(member).ToHaveCountAsync(1);
            await Expect(member.Locator("td").Nth(1)).ToHaveTextAsync(ReadersCsv.QuotedName);
            await browser.ScreenshotAsync("member-search");
            var listUrl = page.Url;
            await member.GetByRole(AriaRole.Link, new() { Name = "reader2@example.com" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(@"/contacts/\d+$"));
            await Expect(page.Locator("#Input_Name")).ToHaveValueAsync(ReadersCsv.QuotedName);
            await Expect(page.Locator("#Input_Attributes")).ToHaveValueAsync(new Regex(@"^city = Flat 2\r?\nMain Street$"));
            await browser.ScreenshotAsync("contact-multiline-city");

            // 10. A repeated email is one contact: the first row wins, the later row is not imported.
            await page.GotoAsync(listUrl.Split('?')[0] + "?q=reader800%40example.com");
            await page.Locator("#member-rows").GetByRole(AriaRole.Link, new() { Name = "reader800@example.com" }).ClickAsync();
            await Expect(page.Locator("#Input_Name")).ToHaveValueAsync("Reader 800");
            await Expect(page.Locator("#Input_Attributes")).ToHaveValueAsync("city = City 800");
            await browser.ScreenshotAsync("contact-first-row-wins");

            // 11. An attribute search looks one window of ids back at a time and says so: a contact far above the
            //     imported ones (as if a million had come in between) matches; the page reports how far it searched.
            await using (var db = DirectDb.Open(app.Database))
            {
                var workspace = await db.Workspaces.IgnoreQueryFilters().SingleAsync(w => w.Name == "Acme Mail");
                var newest = await db.Contacts.IgnoreQueryFilters().MaxAsync(c => c.Id);
                db.Contacts.Add(new Contact
                {
                    Id = newest + 2 * ContactSearch.AttributeScanWindow, WorkspaceId = workspace.Id, Email = "far@example.com", Name = "Far Away",
                    AttributesJson = ContactAttributes.Serialize(new Dictionary<string, string> { ["city"] = "Faraway" }),
                });
                await db.SaveChangesAsync();
            }
            await page.GotoAsync("/contacts?q=" + Uri.EscapeDataString("city:Faraway"));
            await Expect(page.Locator("#contact-rows a.fw-semibold")).ToHaveTextAsync(["far@example.com"]);
            await Expect(page.Locator("#page-summary")).ToContainTextAsync("Next searches further back");
            await browser.ScreenshotAsync("attribute-search-window");
            await page.Locator("#page-next").ClickAsync();
            await Expect(page.Locator("#contact-rows")).ToContainTextAsync("No contact matches “city:Faraway” among the newest");

            await page.GotoAsync("/lists");
            await Expect(page.Locator("#list-rows tr", new() { HasText = ListName }).Locator(".member-count")).ToHaveTextAsync(Number(csv.DistinctValid));
            await browser.ScreenshotAsync("lists-with-count");

            // Chromium reports the navigation that became the report's download as aborted: that one is expected.
            var problems = browser.Problems.Where(p => !Regex.IsMatch(p, @"^request failed: GET \S+/imports/\d+\?handler=Errors \(net::ERR_ABORTED\)$")).ToList();
            Assert.True(problems.Count == 0, "The pages reported problems:\n" + string.Join("\n", problems) + "\n--- app log ---\n" + app.OutputTail());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Reads the percentage shown until the panel says the import finished (or the bound passes); returns what it saw.</summary>
    private static async Task<List<int>> WatchProgressAsync(IPage page)
    {
        var seen = new List<int>();
        var panel = page.Locator("#import-progress-panel");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // The panel is swapped by htmx every second; read it in one go so its status and percentage belong together.
            var state = await panel.EvaluateAsync<string[]>(
                "p => [p.dataset.status, p.querySelector('#import-percent').textContent, (p.querySelector('#import-failure') || {}).textContent || '']");
            var percent = int.Parse(state[1].Replace("%", "").Trim());
            if (seen.Count == 0 || seen[^1] != percent) seen.Add(percent);
            if (state[0] == "Failed") Assert.Fail($"The import failed: {state[2]}");
            if (state[0] == "Completed") return seen;
            if (clock.Elapsed > ImportBound) Assert.Fail($"The import was not done within {ImportBound.TotalSeconds} s: status {state[0]}, percentages seen {string.Join(", ", seen)}");
            await Task.Delay(100);
        }
    }

    // N0 as the server formats it: 2,994 (or 2.994 / 2 994 in other cultures).
    private static string Digits(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture).Replace(",", "[,.\u00a0\u202f ]?");
    private static Regex Number(long n) => new($"^{Digits(n)}$");

    /// <summary>
    /// The uploaded file, as a spreadsheet exported with ; would write it: UTF-8 with a BOM, CRLF, a header, and
    /// reader1..reader3000, where record 2 has a quoted name and a city spanning two lines, and some records are
    /// replaced by mistakes whose physical line numbers are recorded while writing.
    /// </summary>
    private sealed record ReadersCsv(string Path, List<(long Line, string Reason, string Text)> Bad, List<long> RepeatLines)
    {
        public const string QuotedName = "Zoë \"Ziggy\" Ångström";
        public const string MultiLineCity = "Flat 2\r\nMain Street";

        public int Repeats => RepeatLines.Count;
        public int DistinctValid => Records - Bad.Count - Repeats;

        public static ReadersCsv Write(string path)
        {
            var bad = new List<(long, string, string)>();
            var repeats = new List<long>();
            using var file = new StreamWriter(path, false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            long line = 1;
            void Write(string record)
            {
                file.Write(record);
                file.Write("\r\n");
                line += 1 + record.Count(c => c == '\n');
            }
            Write("email;name;city");
            for (var i = 1; i <= Records; i++)
            {
                var start = line;
                switch (i)
                {
                    case 2:
                        Write($"\"reader2@example.com\";\"{QuotedName.Replace("\"", "\"\"")}\";\"{MultiLineCity}\"");
                        break;
                    case 700 or 1500 or 2900:
                        var email = i switch { 700 => "reader700.example.com", 1500 => "reader1500@localhost", _ => "reader 2900@example.com" };
                        Write($"{email};Reader {i};City {i}");
                        bad.Add((start, $"'{email}' is not a valid email address.", email));
                        break;
                    case 1200:
                        Write($"reader{i}@example.com;Reader {i};City {i};extra");
                        bad.Add((start, "Expected 3 columns, found 4.", $"reader{i}@example.com"));
                        break;
                    case 1800 or 2600:
                        // Repeats of earlier rows, in another case: duplicates, the first occurrence wins.
                        Write($"READER{i - 1000}@Example.com;;Moved {i}");
                        repeats.Add(start);
                        break;
                    default:
                        Write($"reader{i}@example.com;Reader {i};City {i}");
                        break;
                }
            }
            return new ReadersCsv(path, bad, repeats);
        }
    }
}
