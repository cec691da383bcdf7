using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SendCraft.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Browser;

/// <summary>
/// The small behaviours that were inline script (onclick=, hx-on) before the Content-Security-Policy forbade it, and now
/// come from data- attributes wired in site.js: a form cleared after a successful htmx post, "select all" checkboxes,
/// and a confirmation before deleting. The session fails on any policy violation as well.
/// </summary>
public sealed class PageBehaviourTests
{
    [Fact]
    public async Task AddMemberFormResets_SelectAllChecksEveryRow_DeleteAsksFirst_WithoutInlineScript()
    {
        await using var app = await AppProcess.StartAsync(DatabaseKind.Sqlite);
        await using var browser = await BrowserFactory.LaunchAsync(app.BaseAddress, RepoPaths.Results("screenshots", "PageBehaviour"));
        var page = browser.Page;
        await BrowserSteps.SetUpOwnerAsync(browser, "Acme");

        // 1. A list, and two members added through the htmx form, which empties itself after each success.
        await page.GotoAsync("/lists");
        await page.Locator("#list-name").FillAsync("Readers");
        await page.Locator("#create-list").ClickAsync();
        await page.Locator("#list-table").GetByRole(AriaRole.Link, new() { Name = "Readers" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/lists/\d+$"));
        foreach (var email in new[] { "ada@example.test", "grace@example.test" })
        {
            await page.Locator("#add-email").FillAsync(email);
            await page.Locator("#add-member").ClickAsync();
            await Expect(page.Locator("#member-table")).ToContainTextAsync(email);
            await Expect(page.Locator("#add-email")).ToHaveValueAsync("");
        }
        await browser.ScreenshotAsync("list-members");

        // 2. "Select all" on the contacts page checks every row.
        await page.GotoAsync("/contacts");
        await Expect(page.Locator(".contact-check")).ToHaveCountAsync(2);
        await page.GetByLabel("Select all on this page").CheckAsync();
        await Expect(page.Locator(".contact-check:checked")).ToHaveCountAsync(2);
        await page.GetByLabel("Select all on this page").UncheckAsync();
        await Expect(page.Locator(".contact-check:checked")).ToHaveCountAsync(0);
        await browser.ScreenshotAsync("contacts");

        // 3. Deleting a template asks first: dismissed, nothing happens; accepted, it is gone.
        await page.GotoAsync("/templates/new");
        await page.Locator("#Input_Name").FillAsync("Short-lived");
        await page.Locator("#save-template").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/templates/\d+$"));
        var editUrl = page.Url;

        var asked = new List<string>();
        var accept = false;
        page.Dialog += async (_, dialog) =>
        {
            asked.Add(dialog.Message);
            if (accept) await dialog.AcceptAsync(); else await dialog.DismissAsync();
        };
        await page.Locator("#delete-template").ClickAsync();
        await Expect(page).ToHaveURLAsync(editUrl);
        Assert.Equal(["Delete this template? This cannot be undone."], asked);

        accept = true;
        await page.Locator("#delete-template").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/templates$"));
        await Expect(page.Locator("main")).ToContainTextAsync("Template “Short-lived” was deleted.");
        Assert.Equal(2, asked.Count);

        BrowserSteps.AssertNoProblems(browser, app);
    }
}
