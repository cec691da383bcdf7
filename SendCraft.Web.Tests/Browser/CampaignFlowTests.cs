using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SendCraft.Web.Contacts;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// A campaign in a real browser against the built app: start it from a saved template, watch the live audience count,
/// save it, preview it as a contact of the audience (sandboxed iframe), schedule it a few seconds ahead in the browser's
/// time zone, and see the progress panel turn to Sent without a reload, with smtp-sink as the witness.
/// Screenshots go to TestResults/screenshots/CampaignFlow/.
/// </summary>
public sealed class CampaignFlowTests
{
    private const string Domain = "acme-mail.example";

    [Fact]
    public async Task Owner_CreatesCampaignFromTemplate_Previews_SchedulesItSecondsAhead_AndSeesItSentLive()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
        {
            ["Sending:PollInterval"] = "00:00:00.200", ["Campaigns:MonitorInterval"] = "00:00:00.300",
        });
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "CampaignFlow"));
        var page = browser.Page;
        await BrowserSteps.SetUpOwnerAsync(browser, "Acme Mail");

        // A sending domain and an SMTP account on the sink, through their pages.
        await page.GotoAsync("/domains");
        await page.Locator("#Input_Name").FillAsync(Domain);
        await page.Locator("#add-domain").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/domains/\d+$"));
        await page.GotoAsync("/smtp-accounts");
        await page.Locator("#add-account").ClickAsync();
        var form = page.Locator("#account-form");
        await form.Locator("#Input_FromEmail").FillAsync($"news@{Domain}");
        await form.Locator("#Input_FromName").FillAsync("Acme News");
        await form.Locator("#Input_Host").FillAsync("127.0.0.1");
        await form.Locator("#Input_Port").FillAsync(sink.Port.ToString());
        await form.Locator("#Input_Security").SelectOptionAsync("None");
        await page.Locator("#save-account").ClickAsync();
        await Expect(page.Locator("#account-form")).ToHaveCountAsync(0);

        // Contacts in two lists and a saved template, written straight to the database.
        await using (var db = DirectDb.Open(app.Database))
        {
            var ws = (await db.Workspaces.IgnoreQueryFilters().SingleAsync(w => w.Name == "Acme Mail")).Id;
            var readers = new ContactList { WorkspaceId = ws, Name = "Readers", MemberCount = 5 };
            var staff = new ContactList { WorkspaceId = ws, Name = "Staff", MemberCount = 1 };
            db.ContactLists.AddRange(readers, staff);
            var contacts = Enumerable.Range(1, 5).Select(i => new Contact
            {
                WorkspaceId = ws, Email = $"reader{i}@rcpt.example", Name = $"Reader{i} Smith",
                AttributesJson = ContactAttributes.Serialize(new Dictionary<string, string> { ["city"] = $"Town{i}" }),
            }).ToList();
            db.Contacts.AddRange(contacts);
            db.EmailTemplates.Add(new EmailTemplate
            {
                WorkspaceId = ws, Name = "Winter letter", Type = TemplateType.Newsletter, Subject = "Winter news for {{ first_name }}",
                HtmlBody = "<h1>Hello {{ first_name }}</h1>\n<p>Snow is falling in {{ city | default: \"your town\" }}.</p>",
            });
            await db.SaveChangesAsync();
            db.ListMembers.AddRange(contacts.Select(c => new ListMember { WorkspaceId = ws, ListId = readers.Id, ContactId = c.Id }));
            db.ListMembers.Add(new ListMember { WorkspaceId = ws, ListId = staff.Id, ContactId = contacts[4].Id });
            await db.SaveChangesAsync();
        }

        // 1. The empty list, then "New campaign".
        await page.GotoAsync("/campaigns");
        await Expect(page.Locator(".empty-state")).ToContainTextAsync("No campaigns yet");
        await browser.ScreenshotAsync("campaigns-empty");
        await page.Locator("#new-campaign").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/campaigns/edit$"));

        // 2. Start from the template: its content fills the form.
        await page.Locator("#templateId").SelectOptionAsync(new SelectOptionValue { Label = "Winter letter" });
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.Locator("#use-template").ClickAsync();
        await Expect(page.Locator("#Input_Subject")).ToHaveValueAsync("Winter news for {{ first_name }}");
        await Expect(page.Locator("#Input_Name")).ToHaveValueAsync("Winter letter");
        await page.Locator("#Input_Name").FillAsync("Winter campaign");
        await page.Locator("#Input_SmtpAccountId").SelectOptionAsync(new SelectOptionValue { Label = $"Acme News <news@{Domain}>" });

        // 3. The audience count follows the ticks without a reload: Readers (5), less Staff (1).
        // Lists by name: Readers, then Staff, in both columns.
        await page.Locator("input[name='Input.Include']").Nth(0).CheckAsync();
        await Expect(page.Locator("#audience-recipients")).ToHaveTextAsync("5");
        await page.Locator("input[name='Input.Exclude']").Nth(1).CheckAsync();
        await Expect(page.Locator("#audience-recipients")).ToHaveTextAsync("4");
        await browser.ScreenshotAsync("editor-from-template");
        await page.Locator("#save-campaign").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/campaigns/\d+$"));
        await Expect(page.Locator("main .alert-success")).ToContainTextAsync("saved");

        // 4. The preview renders as the first audience contact; pick another by email.
        await Expect(page.Locator("#preview-subject")).ToHaveTextAsync("Winter news for Reader1");
        await Expect(page.Locator("#campaign-preview iframe")).ToHaveAttributeAsync("sandbox", "");
        await Expect(page.FrameLocator("#campaign-preview iframe").Locator("p")).ToHaveTextAsync("Snow is falling in Town1.");
        await page.Locator("#preview-email").FillAsync("reader3@rcpt.example");
        await page.Locator("#show-preview").ClickAsync();
        await Expect(page.Locator("#preview-subject")).ToHaveTextAsync("Winter news for Reader3");
        await Expect(page.FrameLocator("#campaign-preview iframe").Locator("h1")).ToHaveTextAsync("Hello Reader3");
        await page.Locator("#campaign-preview").ScrollIntoViewIfNeededAsync(); // an iframe off screen is not painted
        await browser.ScreenshotAsync("details-preview");
        await page.Locator("main h1").ScrollIntoViewIfNeededAsync();

        // 5. Schedule it a few seconds ahead in the browser's time zone (the select defaults to it).
        var zone = await page.EvaluateAsync<string>("Intl.DateTimeFormat().resolvedOptions().timeZone");
        await Expect(page.Locator("#schedule-zone")).ToHaveValueAsync(zone);
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        // datetime-local has minute precision: the next minute that is at least 5 s away.
        var at = DateTime.UtcNow.AddSeconds(5);
        at = new DateTime(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, DateTimeKind.Utc).AddMinutes(1);
        await page.Locator("#schedule-at").FillAsync(TimeZoneInfo.ConvertTimeFromUtc(at, tz).ToString("yyyy-MM-ddTHH:mm"));
        await page.Locator("#schedule-campaign").ClickAsync();
        await Expect(page.Locator("main .alert-success")).ToContainTextAsync("scheduled for");
        await Expect(page.Locator("#scheduled-at")).ToContainTextAsync($"{at:yyyy-MM-dd HH:mm} UTC");
        var panel = page.Locator("[id^='campaign-progress-']");
        await Expect(panel).ToHaveAttributeAsync("data-status", "Scheduled");
        await browser.ScreenshotAsync("scheduled");

        // 6. Without a reload, the panel goes to Sending and then Sent with its counters (the poll every 2 s).
        var url = page.Url;
        await Expect(panel).ToHaveAttributeAsync("data-status", "Sent", new() { Timeout = 120_000 });
        Assert.Equal(url, page.Url);
        await Expect(page.Locator("#count-sent")).ToHaveTextAsync("4");
        await Expect(page.Locator("#campaign-percent")).ToHaveTextAsync("100 %");
        await Expect(page.Locator("#send-panel")).ToBeHiddenAsync(); // emptied by the poll once it started
        await browser.ScreenshotAsync("sent-live");
        Assert.Equal(["reader1@rcpt.example", "reader2@rcpt.example", "reader3@rcpt.example", "reader4@rcpt.example"], sink.Recipients().Order());

        // 7. The report after a reload: chart, domains, recipients.
        await page.ReloadAsync();
        await Expect(page.Locator("#report-sent")).ToHaveTextAsync("4");
        await Expect(page.Locator("#campaign-chart")).ToBeVisibleAsync();
        await Expect(page.Locator("#campaign-recipients .recipient-row")).ToHaveCountAsync(4);
        await page.Locator("#report").ScrollIntoViewIfNeededAsync();
        await browser.ScreenshotAsync("report");
        await page.GotoAsync("/campaigns");
        await Expect(page.Locator(".campaign-progress-text")).ToHaveTextAsync("4 / 4");
        await browser.ScreenshotAsync("campaigns-list");
        BrowserSteps.AssertNoProblems(browser, app);
    }
}
