using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// Writing a Liquid template in a real browser: the live preview (a sandboxed iframe refreshed by htmx after typing)
/// follows what is typed, a syntax error is pointed out with its line and column in the preview and again when
/// saving, and the fixed template saves and is listed. Screenshots go to TestResults/screenshots/TemplateFlow/.
/// </summary>
public sealed class TemplateFlowTests
{
    private const string Name = "Welcome mail";

    [Fact]
    public async Task Owner_WritesTemplate_PreviewFollowsTyping_SyntaxErrorShowsLineAndColumn_FixedTemplateSaves()
    {
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite);
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "TemplateFlow"));
        var page = browser.Page;
        await BrowserSteps.SetUpOwnerAsync(browser, "Acme Mail");

        // 1. The list is empty; "New template" opens the editor with a starter template and its preview.
        await page.GotoAsync("/templates");
        await browser.ScreenshotAsync("templates-empty");
        await page.Locator("#new-template").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/templates/new$"));
        var frame = page.Locator("#preview iframe.preview-frame");
        await Expect(frame).ToHaveCountAsync(1);
        await browser.ScreenshotAsync("editor-starter");

        // 2. Name, subject and sample data; the subject preview uses the sample value.
        await page.Locator("#Input_Name").FillAsync(Name);
        await page.Locator("#Input_SampleData").FillAsync("{ \"first_name\": \"Grace\" }");
        await page.Locator("#Input_Subject").FillAsync("Welcome aboard, {{ first_name }}!");
        await Expect(page.Locator("#preview-subject")).ToHaveTextAsync("Welcome aboard, Grace!");

        // 3. Type the HTML body key by key: after the typing pauses the iframe shows the rendered text.
        var html = page.Locator("#Input_HtmlBody");
        await html.FillAsync("");
        await html.PressSequentiallyAsync("<h1>Hello {{ first_name }}</h1>\n<p>Your account is ready.</p>", new() { Delay = 5 });
        await Expect(frame).ToHaveAttributeAsync("srcdoc", new Regex(@"<h1>Hello Grace</h1>\s*<p>Your account is ready\.</p>"));
        await Expect(page.FrameLocator("#preview iframe.preview-frame").Locator("h1")).ToHaveTextAsync("Hello Grace");
        await Expect(page.Locator("#preview-variables [data-variable='first_name']")).ToHaveAttributeAsync("data-has-sample", "true");
        await Expect(page.Locator("#preview-errors")).ToHaveCountAsync(0);
        await ShowPreviewAsync(page);
        await browser.ScreenshotAsync("preview-after-typing");

        // 4. Typing on updates the preview again (the sample value is HTML-encoded on the way).
        await html.PressSequentiallyAsync("\n<p>{% if first_name %}See you soon, {{ first_name | upcase }}{% endif %}</p>", new() { Delay = 5 });
        await Expect(page.FrameLocator("#preview iframe.preview-frame").Locator("body")).ToContainTextAsync("See you soon, GRACE");

        // 5. A broken tag on line 3: the preview says where, and keeps no stale render of the body.
        await html.FillAsync("<h1>Hello {{ first_name }}</h1>\n<p>Your account is ready.</p>\n<p>{% if first_name %}See you soon{% endi</p>");
        var errors = page.Locator("#preview-errors");
        await Expect(errors).ToContainTextAsync(new Regex(@"HTML body, line 3, column \d+"));
        await browser.ScreenshotAsync("preview-syntax-error");

        // 6. Saving is refused with the same position next to the HTML field, and what was typed is kept.
        await page.Locator("#save-template").ClickAsync();
        var htmlError = page.Locator("[data-valmsg-for='Input.HtmlBody']");
        await Expect(htmlError).ToContainTextAsync(new Regex(@"HTML body, line 3, column \d+"));
        await Expect(page).ToHaveURLAsync(new Regex("/templates/new$"));
        await Expect(page.Locator("#Input_HtmlBody")).ToHaveValueAsync(new Regex(@"\{% endi</p>$"));
        await browser.ScreenshotAsync("save-refused");

        // 7. Fix the tag: the error goes, the preview is back, and the template saves to its own address.
        html = page.Locator("#Input_HtmlBody");
        await html.FillAsync("<h1>Hello {{ first_name }}</h1>\n<p>Your account is ready.</p>\n<p>{% if first_name %}See you soon{% endif %}</p>");
        await Expect(page.Locator("#preview-errors")).ToHaveCountAsync(0);
        await Expect(page.FrameLocator("#preview iframe.preview-frame").Locator("body")).ToContainTextAsync("See you soon");
        await ShowPreviewAsync(page);
        await browser.ScreenshotAsync("error-fixed");
        await page.Locator("#save-template").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/templates/\d+$"));
        await Expect(page.Locator("main h1")).ToHaveTextAsync(Name);
        await Expect(page.Locator("main .alert-success")).ToContainTextAsync($"Template “{Name}” saved.");
        await Expect(page.Locator("#Input_Subject")).ToHaveValueAsync("Welcome aboard, {{ first_name }}!");
        await Expect(page.Locator("#preview-subject")).ToHaveTextAsync("Welcome aboard, Grace!");
        await ShowPreviewAsync(page);
        await browser.ScreenshotAsync("saved");

        // 8. The list shows it.
        await page.GotoAsync("/templates");
        await Expect(page.Locator("#template-rows tr", new() { HasText = Name })).ToHaveCountAsync(1);
        await browser.ScreenshotAsync("templates-list");

        BrowserSteps.AssertNoProblems(browser, app);
    }

    // At 1280 px the preview sits below the editor; Chromium leaves a sandboxed iframe that was never on screen
    // unpainted in a full-page screenshot, so bring it into view first.
    private static Task ShowPreviewAsync(IPage page) => page.Locator("#preview").ScrollIntoViewIfNeededAsync();
}
