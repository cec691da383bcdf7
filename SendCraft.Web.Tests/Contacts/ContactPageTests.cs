using System.Net;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Contacts;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Contacts;

public abstract class ContactPageTests(DatabaseKind kind)
{
    [Fact]
    public async Task Create_NormalizesEmail_StoresAttributes_AndTheTableShowsIt()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var page = await owner.GetPageAsync("/contacts");
        Assert.Contains("No contacts yet", page.Text("#contact-rows"));

        var response = await owner.HtmxPostAsync(page, "/contacts?handler=Create", new()
        {
            ["Input.Email"] = "  Ann.Lee@Example.COM ", ["Input.Name"] = "Ann Lee", ["Input.Attributes"] = "city = Berlin\nplan = pro",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("contacts-changed", response.Headers.GetValues("HX-Trigger").Single());
        Assert.Equal("Contact ann.lee@example.com added.", response.ToastMessage());

        var contact = Assert.Single(await app.ContactsOfAsync(await app.WorkspaceIdAsync("Acme")));
        Assert.Equal("ann.lee@example.com", contact.Email);
        Assert.Equal("""{"city":"Berlin","plan":"pro"}""", contact.AttributesJson);
        Assert.Equal(ContactStatus.Active, contact.Status);

        var table = await owner.GetPageAsync("/contacts");
        Assert.Contains("ann.lee@example.com", table.Text("#contact-rows"));
        Assert.Contains("Active", table.Text($"#contact-{contact.Id} .contact-status"));
    }

    [Theory]
    [InlineData("", "Email is missing.")]
    [InlineData("not-an-email", "'not-an-email' is not a valid email address.")]
    [InlineData("ann@localhost", "'ann@localhost' is not a valid email address.")]
    [InlineData("Ann Lee <ann@example.com>", "is not a valid email address.")]
    [InlineData("ann@exa mple.com", "is not a valid email address.")]
    public async Task Create_InvalidEmail_AnswersTheFormWithTheMessage_AndCreatesNothing(string email, string message)
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var page = await owner.GetPageAsync("/contacts");
        var response = await owner.HtmxPostAsync(page, "/contacts?handler=Create", new() { ["Input.Email"] = email, ["Input.Name"] = "Kept" });
        var form = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains(message, form.Text("[data-valmsg-for='Input.Email']"));
        Assert.Equal("Kept", form.QuerySelector("#Input_Name")!.GetAttribute("value"));
        Assert.Empty(await app.ContactsOfAsync(await app.WorkspaceIdAsync("Acme")));
    }

    [Fact]
    public async Task Create_SameEmailInOtherCase_IsRefused_ButAnotherWorkspaceMayHaveIt()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        await app.AddContactAsync(acme, "bob@example.com");

        var page = await owner.GetPageAsync("/contacts");
        var response = await owner.HtmxPostAsync(page, "/contacts?handler=Create", new() { ["Input.Email"] = "BOB@example.com" });
        var form = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("A contact with the email bob@example.com already exists.", form.Text("[data-valmsg-for='Input.Email']"));

        var other = await app.AddWorkspaceAsync("Globex");
        await app.AddContactAsync(other, "bob@example.com");
        Assert.Single(await app.ContactsOfAsync(other));
    }

    [Fact]
    public async Task Create_BadAttributeName_IsRefusedWithTheRule()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var page = await owner.GetPageAsync("/contacts");
        var response = await owner.HtmxPostAsync(page, "/contacts?handler=Create", new() { ["Input.Email"] = "a@example.com", ["Input.Attributes"] = "First Name = Ann" });
        var form = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("Attribute 'First Name' is not a valid name", form.Text("[data-valmsg-for='Input.Attributes']"));
        Assert.Empty(await app.ContactsOfAsync(await app.WorkspaceIdAsync("Acme")));
    }

    [Fact]
    public async Task Edit_SavesEmailNameStatusAndAttributes_WithoutJavaScript()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var contact = await app.AddContactAsync(acme, "carol@example.com", "Carol", new() { ["city"] = "Paris" });

        var saved = await owner.SubmitFormAsync($"/contacts/{contact.Id}", new()
        {
            ["Input.Email"] = "Carol.New@Example.com", ["Input.Name"] = "Carol N", ["Input.Status"] = "Unsubscribed", ["Input.Attributes"] = "city = Lyon\ntier = gold",
        }, "#contact-form form");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var after = Assert.Single(await app.ContactsOfAsync(acme));
        Assert.Equal(("carol.new@example.com", "Carol N", ContactStatus.Unsubscribed, """{"city":"Lyon","tier":"gold"}"""),
            (after.Email, after.Name, after.Status, after.AttributesJson));

        var page = await owner.GetPageAsync($"/contacts/{contact.Id}");
        var refused = await owner.HtmxPostAsync(page, $"/contacts/{contact.Id}?handler=Save", new() { ["Input.Email"] = "broken@", ["Input.Status"] = "Active" });
        var form = await WebSession.ParseAsync(await refused.Content.ReadAsStringAsync());
        Assert.Contains("is not a valid email address", form.Text("[data-valmsg-for='Input.Email']"));
        Assert.Equal("carol.new@example.com", (await app.ContactsOfAsync(acme)).Single().Email);
    }

    [Fact]
    public async Task AnotherWorkspacesContactsListsAndImports_Answer404_AndAreNotChanged()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        // Another workspace the owner is not a member of.
        var globex = await app.AddWorkspaceAsync("Globex");
        var theirs = await app.AddContactAsync(globex, "secret@globex.test", "Secret");
        var theirList = await app.AddListAsync(globex, "Globex customers");
        await app.AddToListAsync(globex, theirList.Id, theirs.Id);
        var ourList = await app.AddListAsync(acme, "Ours");
        var theirImport = await app.QueryAsync(async db =>
        {
            var i = new ContactImport { WorkspaceId = globex, ListId = theirList.Id, FileName = "x.csv", FilePath = "/nonexistent", Status = ImportStatus.Completed };
            db.ContactImports.Add(i);
            await db.SaveChangesAsync();
            return i;
        });

        foreach (var url in new[] { $"/contacts/{theirs.Id}", $"/lists/{theirList.Id}", $"/lists/{theirList.Id}?handler=Export", $"/lists/{theirList.Id}/import", $"/imports/{theirImport.Id}", $"/imports/{theirImport.Id}?handler=Progress" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync(url)).StatusCode);
        }
        var page = await owner.GetPageAsync("/contacts");
        Assert.Equal(HttpStatusCode.NotFound, (await owner.HtmxPostAsync(page, $"/contacts/{theirs.Id}?handler=Save", new() { ["Input.Email"] = "x@example.com" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.HtmxPostAsync(page, $"/contacts?handler=Delete&id={theirs.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.HtmxPostAsync(page, $"/lists?handler=Delete&id={theirList.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.HtmxPostAsync(page, $"/lists/{theirList.Id}?handler=Remove&contactId={theirs.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.HtmxPostAsync(page, $"/contacts/{theirs.Id}?handler=AddToList&listId={ourList.Id}")).StatusCode);
        // Bulk actions silently drop ids of other workspaces.
        await owner.HtmxPostAsync(page, "/contacts?handler=Bulk", new() { ["bulkAction"] = "delete", ["confirmed"] = "true", ["ids"] = theirs.Id.ToString() });
        await owner.HtmxPostAsync(page, "/contacts?handler=Bulk", new() { ["bulkAction"] = "add-to-list", ["listId"] = ourList.Id.ToString(), ["confirmed"] = "true", ["ids"] = theirs.Id.ToString() });

        Assert.DoesNotContain("secret@globex.test", (await owner.GetPageAsync("/contacts?q=secret")).Text("#contact-table"));
        var still = Assert.Single(await app.ContactsOfAsync(globex));
        Assert.Equal("Secret", still.Name);
        Assert.Equal(1, await app.QueryAsync(db => db.ListMembers.IgnoreQueryFilters().CountAsync(m => m.ListId == theirList.Id)));
        Assert.Equal(0, await app.QueryAsync(db => db.ListMembers.IgnoreQueryFilters().CountAsync(m => m.ListId == ourList.Id)));
    }

    [Fact]
    public async Task Search_ByEmailPrefix_NamePrefixIgnoringCase_AndAttribute()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        await app.AddContactAsync(acme, "alice@example.com", "Alice Archer", new() { ["city"] = "Berlin" });
        await app.AddContactAsync(acme, "bob@alicorp.test", "Bob Baker", new() { ["city"] = "Bern" });
        await app.AddContactAsync(acme, "carol@example.com", "Carol Alison", new() { ["city"] = "Paris" });

        async Task<string[]> Search(string q) =>
            (await owner.GetPageAsync("/contacts?q=" + Uri.EscapeDataString(q))).QuerySelectorAll("#contact-rows a.fw-semibold").Select(a => a.TextContent).Order().ToArray();

        Assert.Equal(["alice@example.com"], await Search("ALICE@"));
        Assert.Equal(["alice@example.com"], await Search("ali"));        // name or email prefix; not "Carol Alison" (no substring search)
        Assert.Equal(["bob@alicorp.test"], await Search("bob baker"));
        Assert.Equal(["alice@example.com", "bob@alicorp.test"], await Search("city:Ber"));
        Assert.Equal(["carol@example.com"], await Search("city: Paris"));
        Assert.Empty(await Search("zed"));
    }

    [Fact]
    public async Task AttributeSearch_ScansOneWindowOfIdsPerPage_AndNextSearchesFurtherBack()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        // Ids far apart stand in for a million contacts: the oldest match lies two windows below the newest contacts.
        const long window = ContactSearch.AttributeScanWindow;
        var oldest = await app.AddContactAsync(acme, "old@example.com", attributes: new() { ["plan"] = "gold" });
        await app.AddContactAsync(acme, "new@example.com", attributes: new() { ["plan"] = "gold" }, id: oldest.Id + 2 * window + 10);
        await app.AddContactAsync(acme, "newest@example.com", attributes: new() { ["plan"] = "silver" }, id: oldest.Id + 2 * window + 11);

        static string[] Emails(AngleSharp.Dom.IDocument p) => p.QuerySelectorAll("#contact-rows a.fw-semibold").Select(a => a.TextContent).ToArray();
        var first = await owner.GetPageAsync("/contacts?q=" + Uri.EscapeDataString("plan:gold"));
        Assert.Equal(["new@example.com"], Emails(first));
        Assert.Contains($"down to #{oldest.Id + window + 12}", first.QuerySelector("#page-summary")!.TextContent);

        var second = await owner.GetPageAsync(first.QuerySelector("#page-next")!.GetAttribute("href")!);
        Assert.Empty(Emails(second));
        Assert.Contains("Next searches further back", second.QuerySelector("#contact-rows")!.TextContent);

        var third = await owner.GetPageAsync(second.QuerySelector("#page-next")!.GetAttribute("href")!);
        Assert.Equal(["old@example.com"], Emails(third));
        Assert.Null(third.QuerySelector("#page-next"));
        Assert.DoesNotContain("down to", third.QuerySelector("#page-summary")!.TextContent);
    }

    [Fact]
    public async Task Search_WithAPrefixMatchingThousands_ShowsTheNewestMatchesAndPages()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        // More matches than ContactSearch.DenseMatches: the page is found by walking the newest contacts instead.
        await app.AddContactsAsync(acme, Enumerable.Range(1, 2100).Select(i => ($"u{i:0000}@example.com", i % 2 == 0 ? $"Uma {i}" : $"Victor {i}")));
        await app.AddContactsAsync(acme, Enumerable.Range(1, 3).Select(i => ($"victor{i}@example.com", $"Zed {i}")));

        var page = await owner.GetPageAsync("/contacts?q=U");
        var emails = page.QuerySelectorAll("#contact-rows a.fw-semibold").Select(a => a.TextContent).ToArray();
        Assert.Equal(50, emails.Length);
        Assert.Equal("u2100@example.com", emails[0]);
        Assert.Equal("u2051@example.com", emails[^1]);
        var next = await owner.GetPageAsync(page.QuerySelector("#page-next")!.GetAttribute("href")!);
        Assert.Equal("u2050@example.com", next.QuerySelectorAll("#contact-rows a.fw-semibold")[0].TextContent);

        var uma = (await owner.GetPageAsync("/contacts?q=um")).QuerySelectorAll("#contact-rows a.fw-semibold").Select(a => a.TextContent).ToArray();
        Assert.Equal(["u2100@example.com", "u2098@example.com"], uma[..2]);
        var v = (await owner.GetPageAsync("/contacts?q=v")).QuerySelectorAll("#contact-rows a.fw-semibold").Select(a => a.TextContent).ToArray();
        Assert.Equal(["victor3@example.com", "victor2@example.com", "victor1@example.com", "u2099@example.com"], v[..4]);
    }

    [Fact]
    public async Task Paging_IsKeysetNewestFirst_WithNextAndPrevious()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        await app.AddContactsAsync(acme, Enumerable.Range(1, 120).Select(i => ($"user{i:000}@example.com", $"User {i}")));

        static string[] Emails(AngleSharp.Dom.IDocument p) => p.QuerySelectorAll("#contact-rows a.fw-semibold").Select(a => a.TextContent).ToArray();
        var first = await owner.GetPageAsync("/contacts");
        Assert.Equal(50, Emails(first).Length);
        Assert.Equal("user120@example.com", Emails(first)[0]);
        Assert.Null(first.QuerySelector("#page-previous"));

        var second = await owner.GetPageAsync(first.QuerySelector("#page-next")!.GetAttribute("href")!);
        Assert.Equal("user070@example.com", Emails(second)[0]);
        var third = await owner.GetPageAsync(second.QuerySelector("#page-next")!.GetAttribute("href")!);
        Assert.Equal(20, Emails(third).Length);
        Assert.Equal("user001@example.com", Emails(third)[^1]);
        Assert.Null(third.QuerySelector("#page-next"));

        var back = await owner.GetPageAsync(third.QuerySelector("#page-previous")!.GetAttribute("href")!);
        Assert.Equal(Emails(second), Emails(back));
        var backAgain = await owner.GetPageAsync(back.QuerySelector("#page-previous")!.GetAttribute("href")!);
        Assert.Equal(Emails(first), Emails(backAgain));
        Assert.Null(backAgain.QuerySelector("#page-previous"));
    }

    [Fact]
    public async Task BulkDelete_AsksFirstWithoutJavaScript_ThenDeletesAndKeepsMemberCountsRight()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var list = await app.AddListAsync(acme, "Newsletter");
        await app.AddContactsAsync(acme, Enumerable.Range(1, 5).Select(i => ($"u{i}@example.com", "")), list.Id);
        var ids = (await app.ContactsOfAsync(acme)).Select(c => c.Id).ToList();
        var page = await owner.GetPageAsync("/contacts");
        var token = page.QuerySelector("#bulk-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        FormUrlEncodedContent Form(bool confirmed) => new(new[] { new KeyValuePair<string, string>("__RequestVerificationToken", token), new("bulkAction", "delete") }
            .Concat(confirmed ? [new("confirmed", "true")] : Array.Empty<KeyValuePair<string, string>>())
            .Concat(ids.Take(3).Select(id => new KeyValuePair<string, string>("ids", id.ToString()))));

        var ask = await owner.Client.PostAsync("/contacts?handler=Bulk", Form(confirmed: false));
        var question = await WebSession.ParseAsync(await ask.Content.ReadAsStringAsync());
        Assert.Contains("Delete 3 contact(s)?", question.Text("#bulk-confirmation"));
        Assert.Equal(5, (await app.ContactsOfAsync(acme)).Count);

        var confirmedPost = await owner.SubmitFormAsync(question, "/contacts", [], "#bulk-confirmation form");
        Assert.Equal(HttpStatusCode.Redirect, confirmedPost.StatusCode);
        Assert.Equal(ids.Skip(3), (await app.ContactsOfAsync(acme)).Select(c => c.Id));
        Assert.Equal(2, await app.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().Where(l => l.Id == list.Id).Select(l => l.MemberCount).SingleAsync()));
        Assert.Equal(2, await app.QueryAsync(db => db.ListMembers.IgnoreQueryFilters().CountAsync(m => m.ListId == list.Id)));
    }

    [Fact]
    public async Task BulkAddToList_AddsOnlyNewMembers_AndCountsThem()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var list = await app.AddListAsync(acme, "VIP");
        await app.AddContactsAsync(acme, Enumerable.Range(1, 4).Select(i => ($"v{i}@example.com", "")));
        var ids = (await app.ContactsOfAsync(acme)).Select(c => c.Id.ToString()).ToList();
        await app.AddToListAsync(acme, list.Id, long.Parse(ids[0]));
        var page = await owner.GetPageAsync("/contacts");

        var fields = new Dictionary<string, string> { ["bulkAction"] = "add-to-list", ["listId"] = list.Id.ToString(), ["confirmed"] = "true" };
        using var content = new FormUrlEncodedContent(fields.Concat(ids.Select(id => new KeyValuePair<string, string>("ids", id))));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/contacts?handler=Bulk") { Content = content };
        request.Headers.Add("HX-Request", "true");
        request.Headers.Add("RequestVerificationToken", page.QuerySelector("meta[name=csrf-token]")!.GetAttribute("content")!);
        var response = await owner.Client.SendAsync(request);
        Assert.Equal("3 contact(s) added to VIP (1 were already in it).", response.ToastMessage());

        Assert.Equal(4, await app.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().Where(l => l.Id == list.Id).Select(l => l.MemberCount).SingleAsync()));
        var lists = await owner.GetPageAsync("/lists");
        Assert.Equal("4", lists.Text($"#list-{list.Id} .member-count"));
    }

    [Fact]
    public async Task Viewer_SeesContacts_ButCannotChangeThem()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var contact = await app.AddContactAsync(acme, "dan@example.com");
        await app.AddMemberAsync(acme, "viewer@example.test", WorkspaceRole.Viewer);
        var viewer = app.NewSession();
        await viewer.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "viewer@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword });

        var page = await viewer.GetPageAsync("/contacts");
        Assert.Contains("dan@example.com", page.Text("#contact-rows"));
        Assert.Null(page.QuerySelector("#new-contact"));
        Assert.Null(page.QuerySelector("#bulk-form"));
        var create = await viewer.HtmxPostAsync(page, "/contacts?handler=Create", new() { ["Input.Email"] = "eve@example.com" });
        Assert.NotEqual(HttpStatusCode.OK, create.StatusCode);
        var delete = await viewer.HtmxPostAsync(page, $"/contacts?handler=Delete&id={contact.Id}");
        Assert.NotEqual(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal(["dan@example.com"], (await app.ContactsOfAsync(acme)).Select(c => c.Email));
    }

    [Fact]
    public async Task Export_OfASearch_EscapesCellsThatSpreadsheetsWouldRun()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        await app.AddContactAsync(acme, "formula@example.com", "=HYPERLINK(\"http://evil.test\",\"click\")", new() { ["note"] = "+1 555" });
        await app.AddContactAsync(acme, "minus@example.com", "-2+3", new() { ["note"] = "@SUM(A1)" });
        await app.AddContactAsync(acme, "other@else.test", "Plain Name");

        var byPrefix = await owner.GetAsync("/contacts?handler=Export&q=formula%40");
        Assert.Equal("text/csv; charset=utf-8", byPrefix.Content.Headers.ContentType!.ToString());
        var csv = await (await owner.GetAsync("/contacts?handler=Export")).Content.ReadAsStringAsync();
        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("email,name,status,created_at,attributes", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.True(lines.Any(l => l.StartsWith("formula@example.com,\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"click\"\")\",Active,")), csv);
        Assert.Contains(lines, l => l.StartsWith("minus@example.com,\"'-2+3\",Active,"));
        Assert.DoesNotContain(lines, l => l.Contains(",=") || l.Contains(",+") || l.Contains(",-2") || l.Contains(",@") || l.Contains(",\"=") || l.Contains(",\"-"));

        var filtered = (await byPrefix.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, filtered.Length);
        Assert.StartsWith("formula@example.com,", filtered[1]);
    }
}

public sealed class ContactPageTests_Sqlite() : ContactPageTests(DatabaseKind.Sqlite);
public sealed class ContactPageTests_MariaDb() : ContactPageTests(DatabaseKind.MariaDb);
