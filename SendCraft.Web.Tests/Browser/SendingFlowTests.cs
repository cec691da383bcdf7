using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// From a fresh install to a delivered email, in a real browser against the built app: add a domain and read its
/// DNS records, add an SMTP account on an in-test SMTP server that wants a password, test the connection, compose a
/// message with an attachment to two people, watch it go out, find both in the log. The in-test server is the
/// witness that both copies (with the attachment) really arrived. Screenshots go to TestResults/screenshots/SendingFlow/.
/// </summary>
public sealed class SendingFlowTests
{
    private const string Domain = "acme-mail.example";
    private const string FromEmail = "news@acme-mail.example";
    private const string AttachmentName = "price-list-2026.txt";
    private const string AttachmentContent = "Widget, 4.20\nGadget, 9.99\n";
    private static readonly string[] Recipients = ["ann@rcpt.example", "bob@rcpt.example"];
    private static readonly TimeSpan SendBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Owner_AddsDomainAndAccount_TestsConnection_SendsWithAttachmentToTwo_AndBothAreSent()
    {
        await using var smtp = FaultySmtpServer.Start(new FaultySmtpOptions { Username = "mailer", Password = "s3cret-pass", MaxLifetime = TimeSpan.FromMinutes(5) });
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string> { ["Sending:PollInterval"] = "00:00:00.200" });
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "SendingFlow"));
        var page = browser.Page;
        var attachmentFolder = Directory.CreateTempSubdirectory("sendcraft-browser-");
        try
        {
            await BrowserSteps.SetUpOwnerAsync(browser, "Acme Mail");

            // 1. Add the sending domain; its page opens with the records to publish.
            await page.GotoAsync("/domains");
            await page.Locator("#Input_Name").FillAsync(Domain);
            await browser.ScreenshotAsync("domain-form");
            await page.Locator("#add-domain").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(@"/domains/\d+$"));
            await Expect(page.Locator("main h1")).ToContainTextAsync(Domain);
            await Expect(page.Locator("#dkim-name")).ToHaveValueAsync($"sendcraft._domainkey.{Domain}");
            await Expect(page.Locator("#dkim-value")).ToHaveValueAsync(new Regex(@"^v=DKIM1;.*p=[A-Za-z0-9+/=]{200,}", RegexOptions.Singleline));
            await Expect(page.Locator("#spf-name")).ToHaveValueAsync(Domain);
            await Expect(page.Locator("#spf-value")).ToHaveValueAsync(new Regex(@"^v=spf1 .*[~-]all$"));
            await Expect(page.Locator("#dmarc-name")).ToHaveValueAsync($"_dmarc.{Domain}");
            await Expect(page.Locator("#dmarc-value")).ToHaveValueAsync(new Regex(@"^v=DMARC1; p=none"));
            await Expect(page.Locator("button[data-copy]")).ToHaveCountAsync(6);
            await browser.ScreenshotAsync("domain-dns-records");

            // 2. Add an SMTP account on the in-test server (no TLS on loopback, with a username and password).
            await page.GotoAsync("/smtp-accounts");
            await page.Locator("#add-account").ClickAsync();
            var form = page.Locator("#account-form");
            await Expect(form).ToBeVisibleAsync();
            await form.Locator("#Input_FromEmail").FillAsync(FromEmail);
            await form.Locator("#Input_FromName").FillAsync("Acme News");
            await form.Locator("#Input_Host").FillAsync(smtp.Host);
            await form.Locator("#Input_Port").FillAsync(smtp.Port.ToString());
            await form.Locator("#Input_Security").SelectOptionAsync("None");
            await form.Locator("#Input_Username").FillAsync("mailer");
            await form.Locator("#Input_Password").FillAsync("s3cret-pass");
            await browser.ScreenshotAsync("account-form");
            await page.Locator("#save-account").ClickAsync();
            await Expect(page.Locator("#account-form")).ToHaveCountAsync(0);
            var row = page.Locator("#account-rows tr", new() { HasText = FromEmail });
            await Expect(row).ToContainTextAsync($"127.0.0.1:{smtp.Port}");
            await Expect(row).ToContainTextAsync("as mailer");
            await browser.ScreenshotAsync("account-listed");

            // 3. Test connection: success, authenticated, with what the server offers.
            await row.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
            var result = page.Locator("#connection-test-result");
            await Expect(result).ToHaveClassAsync(new Regex(@"\balert-success\b"));
            await Expect(result).ToContainTextAsync("PIPELINING");
            await Expect(result).ToContainTextAsync(new Regex(@"AUTH [A-Z ]*(LOGIN|PLAIN)"));
            await browser.ScreenshotAsync("connection-test-success");

            // 4. Compose to two people with a small attachment.
            var attachment = Path.Combine(attachmentFolder.FullName, AttachmentName);
            await File.WriteAllTextAsync(attachment, AttachmentContent);
            await page.GotoAsync("/messages/compose");
            await Expect(page.Locator("#Input_AccountId option")).ToContainTextAsync(FromEmail);
            await page.Locator("#Input_To").FillAsync($"Ann Example <{Recipients[0]}>, {Recipients[1]}");
            await page.Locator("#Input_Subject").FillAsync("Our 2026 price list");
            await page.Locator("#Input_HtmlBody").FillAsync("<p>Hello,</p><p>the new prices are <strong>attached</strong>.</p>");
            await page.Locator("#Input_TextBody").FillAsync("Hello,\n\nthe new prices are attached.");
            await page.Locator("#attachments").SetInputFilesAsync(attachment);
            await browser.ScreenshotAsync("compose-filled");
            await page.Locator("#send").ClickAsync();

            // 5. The message page; reload (bounded) until the status badge says sent.
            await Expect(page).ToHaveURLAsync(new Regex(@"/messages/\d+$"));
            await Expect(page.Locator("main h1")).ToHaveTextAsync("Our 2026 price list");
            await browser.ScreenshotAsync("message-queued");
            var badge = page.Locator("#message-status .status-badge");
            var deadline = DateTime.UtcNow + SendBound;
            while ((await badge.InnerTextAsync()).Trim() != "sent")
            {
                Assert.True(DateTime.UtcNow < deadline,
                    $"The message was still '{await badge.InnerTextAsync()}' after {SendBound.TotalSeconds} s.\n--- app log ---\n{app.OutputTail()}");
                await Task.Delay(500);
                await page.ReloadAsync();
            }
            await Expect(page.Locator("#attempts li")).ToHaveCountAsync(1);
            await Expect(page.Locator("#attempts li").First).ToContainTextAsync("250");
            await Expect(page.Locator("#message-attachments")).ToContainTextAsync($"{AttachmentName} (text/plain, {AttachmentContent.Length} bytes)");
            await browser.ScreenshotAsync("message-sent");
            // The headers as sent: the DKIM-Signature is one long line, which must wrap inside its card.
            await page.GetByRole(AriaRole.Tab, new() { Name = "Headers" }).ClickAsync();
            await Expect(page.Locator("#tab-headers")).ToHaveClassAsync(new Regex(@"\bshow\b")); // the tab's fade has ended
            await Expect(page.Locator("#sent-headers")).ToContainTextAsync("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed");
            await browser.ScreenshotAsync("message-headers");

            // 6. The log lists one line per recipient, both sent (the second may still be finishing: reload, bounded).
            deadline = DateTime.UtcNow + SendBound;
            var sentRows = page.Locator("#message-table tbody tr", new() { Has = page.Locator(".status-badge", new() { HasTextRegex = new Regex("^sent$") }) });
            while (true)
            {
                await page.GotoAsync("/messages");
                if (await sentRows.CountAsync() == 2) break;
                Assert.True(DateTime.UtcNow < deadline, $"Not both recipients were sent within {SendBound.TotalSeconds} s.\n{app.OutputTail()}");
                await Task.Delay(500);
            }
            var logRows = page.Locator("#message-table tbody tr");
            await Expect(logRows).ToHaveCountAsync(2);
            foreach (var recipient in Recipients)
                await Expect(logRows.Filter(new() { HasText = recipient })).ToContainTextAsync("Our 2026 price list");
            await browser.ScreenshotAsync("message-log");

            // 7. The server got both copies, each to its own recipient, each carrying the attachment.
            await smtp.WaitForMessagesAsync(2, TimeSpan.FromSeconds(5));
            Assert.Equal(2, smtp.Messages.Count);
            Assert.Equal(Recipients.Order(), smtp.Messages.SelectMany(m => m.Recipients).Select(r => r.ToLowerInvariant()).Order());
            Assert.All(smtp.Messages, m =>
            {
                Assert.Single(m.Recipients);
                Assert.Equal(FromEmail, m.From, ignoreCase: true);
                Assert.Contains(AttachmentName, m.DataText);
                Assert.Contains("Subject: Our 2026 price list", m.DataText);
                Assert.Contains("DKIM-Signature:", m.DataText);
            });

            BrowserSteps.AssertNoProblems(browser, app);
        }
        finally
        {
            attachmentFolder.Delete(recursive: true);
        }
    }
}
