using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// The webhook pages in Chromium under the real Content-Security-Policy: add an endpoint with the htmx editor, see its
/// secret once, send a test event to a real receiver and watch the log, rotate the secret (after a confirmation), and
/// delete the endpoint (after a confirmation).
/// </summary>
public sealed class WebhookFlowTests
{
    [Fact]
    public async Task AddEndpoint_SeeSecretOnce_SendTestEvent_Rotate_Delete()
    {
        await using var receiver = WebhookReceiver.Start();
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
        {
            ["Webhooks:AllowedNetworks:0"] = "127.0.0.1/32", ["Webhooks:PollInterval"] = "00:00:00.200",
        });
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "Webhooks"));
        var page = browser.Page;
        await BrowserSteps.SetUpOwnerAsync(browser, "Acme");
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();

        await page.GotoAsync("/webhooks");
        await page.Locator("#add-endpoint").ClickAsync();
        await page.Locator("#Input_Url").FillAsync(receiver.Url("/browser"));
        await page.Locator("#Input_Description").FillAsync("Order system");
        await page.Locator("#event-message-sent").CheckAsync();
        await page.Locator("#event-message-failed").CheckAsync();
        await page.Locator("#save-endpoint").ClickAsync();
        var secret = page.Locator("#webhook-secret");
        await Expect(secret).ToHaveValueAsync(new Regex("^whsec_"));
        var firstSecret = await secret.InputValueAsync();
        await Expect(page.Locator("#endpoint-list")).ToContainTextAsync(receiver.Url("/browser"));
        await browser.ScreenshotAsync("secret-once");

        await page.Locator("#endpoint-list").GetByRole(AriaRole.Link, new() { Name = receiver.Url("/browser") }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/webhooks/\d+$"));
        await Expect(page.Locator("main")).Not.ToContainTextAsync("whsec_");
        await page.Locator("#send-test").ClickAsync();
        await receiver.WaitForAsync(1);
        for (var i = 0; i < 50 && !(await page.Locator("#delivery-rows").TextContentAsync() ?? "").Contains("Delivered"); i++)
        {
            await Task.Delay(200);
            await page.ReloadAsync();
        }
        await Expect(page.Locator("#delivery-rows")).ToContainTextAsync("Delivered");
        await Expect(page.Locator("#delivery-rows .response-code")).ToHaveTextAsync("200");
        await browser.ScreenshotAsync("delivery-log");

        await page.Locator("#rotate-secret").ClickAsync();
        await Expect(page.Locator("#secret-panel #webhook-secret")).ToHaveValueAsync(new Regex("^whsec_"));
        Assert.NotEqual(firstSecret, await page.Locator("#secret-panel #webhook-secret").InputValueAsync());

        await page.GotoAsync("/webhooks");
        await page.Locator("#endpoint-rows button.btn-outline-danger").ClickAsync();
        await Expect(page.Locator("#endpoint-rows tr")).ToHaveCountAsync(0);
        await browser.ScreenshotAsync("deleted");

        BrowserSteps.AssertNoProblems(browser, app);
    }
}
