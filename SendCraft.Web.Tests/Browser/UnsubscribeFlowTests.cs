using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// A recipient's side in a real browser: a campaign goes out through the app process to smtp-sink, the unsubscribe URL
/// is taken from the List-Unsubscribe header as it arrived, then opened: confirm, subscribe again, leave a list. The app
/// runs without PublicBaseUrl, so the links use the address it listens on. Screenshots go to
/// TestResults/screenshots/UnsubscribeFlow/.
/// </summary>
public sealed partial class UnsubscribeFlowTests
{
    [Fact]
    public async Task Recipient_OpensTheLink_Confirms_SubscribesAgain_AndLeavesOneList()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
        {
            ["Sending:PollInterval"] = "00:00:00.200", ["Campaigns:MonitorInterval"] = "00:00:00.300",
        });
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "UnsubscribeFlow"));
        var page = browser.Page;
        await BrowserSteps.SetUpOwnerAsync(browser, "Acme Mail"); // signed in: the recipients' pages must still show no navigation

        long workspace, campaign, contact;
        await using (var db = DirectDb.Open(app.Database))
        {
            var account = await OutboxBuilders.SeedSenderAsync(db, sink.Port, 0, 1000, 2);
            (workspace, campaign) = await CampaignBuilders.SeedCampaignAsync(db, account, 1);
            contact = await db.Contacts.IgnoreQueryFilters().Where(c => c.WorkspaceId == workspace).Select(c => c.Id).SingleAsync();
            var lists = new[] { "Product news", "Events" }.Select(n => new ContactList { WorkspaceId = workspace, Name = n, MemberCount = 1 }).ToList();
            db.ContactLists.AddRange(lists);
            await db.SaveChangesAsync();
            db.ListMembers.AddRange(lists.Select(l => new ListMember { WorkspaceId = workspace, ListId = l.Id, ContactId = contact }));
            await db.SaveChangesAsync();
        }
        await using (var control = CampaignBuilders.ControlApp(app.Database))
            Assert.True((await control.ControlAsync(workspace, c => c.SendNowAsync(campaign))).Succeeded);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (sink.Recipients().Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        var header = ListUnsubscribe().Match(sink.Dump());
        Assert.True(header.Success, "No List-Unsubscribe header in what the sink received:\n" + sink.Dump());
        var url = new Uri(header.Groups[1].Value);
        Assert.Equal(app.Port, url.Port);
        // Without a configured domain, the mailto goes to the host of the links: here an address literal.
        Assert.Contains("@[127.0.0.1]>", sink.Dump());

        // The confirmation page: one button, nothing of the app around it.
        await page.GotoAsync(url.PathAndQuery);
        await Expect(page.Locator("#confirm-unsubscribe")).ToBeVisibleAsync();
        await Expect(page.Locator("nav")).ToHaveCountAsync(0);
        await browser.ScreenshotAsync("confirm");
        Assert.Equal(ContactStatus.Active, await StatusAsync(app, contact));

        await page.Locator("#confirm-unsubscribe").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/p/[0-9a-f]+$"));
        await Expect(page.Locator("#preferences-flash")).ToContainTextAsync("You are unsubscribed");
        await Expect(page.Locator("#resubscribe")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("unsubscribed");
        Assert.Equal(ContactStatus.Unsubscribed, await StatusAsync(app, contact));

        await page.Locator("#resubscribe").ClickAsync();
        await Expect(page.Locator("#preferences-flash")).ToContainTextAsync("subscribed again");
        await Expect(page.Locator("#lists-form label")).ToHaveTextAsync(["Events", "Everyone", "Product news"]);
        await browser.ScreenshotAsync("preferences");
        await page.GetByLabel("Events").UncheckAsync();
        await page.Locator("#save-preferences").ClickAsync();
        await Expect(page.Locator("#preferences-flash")).ToContainTextAsync("You left 1 list.");
        await Expect(page.Locator("#lists-form label")).ToHaveTextAsync(["Everyone", "Product news"]);
        await browser.ScreenshotAsync("left-a-list");
        Assert.Equal(ContactStatus.Active, await StatusAsync(app, contact));
        BrowserSteps.AssertNoProblems(browser, app);
    }

    private static async Task<ContactStatus> StatusAsync(AppProcess app, long contact)
    {
        await using var db = DirectDb.Open(app.Database);
        return await db.Contacts.IgnoreQueryFilters().Where(c => c.Id == contact).Select(c => c.Status).SingleAsync();
    }

    [GeneratedRegex(@"^List-Unsubscribe:\s*<(http[^>]+)>", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex ListUnsubscribe();
}
