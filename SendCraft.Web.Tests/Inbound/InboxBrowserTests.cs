using System.Text.RegularExpressions;
using MimeKit;
using SendCraft.Web.Tests.Browser;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Inbound;

/// <summary>
/// The inbox in a real browser against the built app with its inbound listener: replies sent with MailKit to the reply
/// address the page shows appear in the list, open in a sandboxed frame with their attachments, and are deleted after
/// a confirmation. Screenshots go to TestResults/screenshots/Inbox/.
/// </summary>
public sealed class InboxBrowserTests
{
    [Fact]
    public async Task Owner_SeesRepliesArrive_OpensOne_AndDeletesIt()
    {
        var port = RepoPaths.FreeLoopbackPort();
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
        {
            ["Inbound:Enabled"] = "true", ["Inbound:Address"] = "127.0.0.1", ["Inbound:Port"] = port.ToString(),
            ["Inbound:BounceDomain"] = InboundMailTests.BounceDomain,
        });
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "Inbox"));
        var page = browser.Page;
        await BrowserSteps.SetUpOwnerAsync(browser, "Acme Mail");

        await page.Locator("nav.sidebar a.nav-link", new() { HasText = "Inbox" }).ClickAsync();
        await Expect(page.Locator("main h1")).ToContainTextAsync("Inbox");
        await Expect(page.Locator("#inbox-empty")).ToBeVisibleAsync();
        var replyAddress = (await page.Locator("#reply-address code").TextContentAsync())!.Trim();
        Assert.Matches(@"^replies\+[0-9a-f]{36}@bounces\.sender\.test$", replyAddress);
        await browser.ScreenshotAsync("inbox-empty");

        await RawSmtp.WaitForListenerAsync(port, "inbound");
        var replies = new[]
        {
            ("Grace Hopper", "grace@rcpt.example", "Re: Spring newsletter", "<p>Loved the <b>spring</b> issue — could you send me the <a href=\"https://example.com\">price list</a> as well?</p><p>Grace</p>", true),
            ("Alan Turing", "alan@rcpt.example", "Question about my order #1042", "<p>Hello, my order has not arrived yet. Can you check?</p>", false),
            ("Ada Lovelace", "ada@rcpt.example", "Re: Your invoice", "<p>Paid today, thanks.</p>", false),
        };
        foreach (var (name, address, subject, html, attach) in replies)
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress(name, address));
            message.To.Add(MailboxAddress.Parse(replyAddress));
            message.Subject = subject;
            var body = new BodyBuilder { HtmlBody = html, TextBody = Regex.Replace(html, "<[^>]+>", "") };
            if (attach) body.Attachments.Add("notes.pdf", new byte[48_213], new ContentType("application", "pdf"));
            message.Body = body.ToMessageBody();
            await InboundMailTests.SendWithMailKitAsync(port, replyAddress, message, sender: address);
        }

        await page.ReloadAsync();
        var rows = page.Locator("#inbox-table tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.First).ToContainTextAsync("Ada Lovelace");
        await Expect(page.Locator("#unread-count")).ToHaveTextAsync("3");
        await Expect(page.Locator("#inbox-table tbody tr.inbox-unread")).ToHaveCountAsync(3);
        await Expect(page.Locator("#notification-bell")).ToHaveAttributeAsync("data-unread", "3"); // members were notified
        await browser.ScreenshotAsync("inbox-list");

        // The search narrows the list as one types (htmx).
        await page.Locator("#inbox-search").FillAsync("order");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("Alan Turing");
        await page.Locator("#inbox-search").FillAsync("");
        await Expect(rows).ToHaveCountAsync(3);

        await rows.Filter(new() { HasText = "Grace Hopper" }).Locator("a").ClickAsync();
        await Expect(page.Locator("#inbox-subject")).ToHaveTextAsync("Re: Spring newsletter");
        await Expect(page.Locator("iframe#inbox-html")).ToHaveAttributeAsync("sandbox", "");
        await Expect(page.FrameLocator("iframe#inbox-html").Locator("b")).ToHaveTextAsync("spring");
        await Expect(page.Locator("#inbox-attachments")).ToContainTextAsync("notes.pdf");
        await Expect(page.Locator("#inbox-attachments")).ToContainTextAsync("47.1 KB");
        await Expect(page.Locator("#inbox-kind")).ToHaveTextAsync("Reply");
        await browser.ScreenshotAsync("inbox-detail");

        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await page.Locator("#delete-message").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/inbox$"));
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(page.Locator("#unread-count")).ToHaveTextAsync("2");
        await browser.ScreenshotAsync("inbox-after-delete");

        BrowserSteps.AssertNoProblems(browser, app);
        browser.AssertNoCspViolations();
    }
}
