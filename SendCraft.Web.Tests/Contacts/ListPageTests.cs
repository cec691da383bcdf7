using System.Net;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Contacts;

public abstract class ListPageTests(DatabaseKind kind)
{
    [Fact]
    public async Task CreateList_ValidatesNameAndUniqueness_ThenShowsIt()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var page = await owner.GetPageAsync("/lists");
        Assert.Contains("No lists yet", page.Text("#list-rows"));

        var empty = await owner.HtmxPostAsync(page, "/lists?handler=Create", new() { ["name"] = "  ", ["description"] = "d" });
        Assert.Contains("Give the list a name.", (await WebSession.ParseAsync(await empty.Content.ReadAsStringAsync())).Text("#new-list-error"));

        var created = await owner.HtmxPostAsync(page, "/lists?handler=Create", new() { ["name"] = "Newsletter", ["description"] = "Monthly news" });
        Assert.Contains("lists-changed", created.Headers.GetValues("HX-Trigger").Single());
        var again = await owner.HtmxPostAsync(page, "/lists?handler=Create", new() { ["name"] = "Newsletter" });
        Assert.Contains("There is already a list named Newsletter.", (await WebSession.ParseAsync(await again.Content.ReadAsStringAsync())).Text("#new-list-error"));

        var lists = await owner.GetPageAsync("/lists");
        Assert.Contains("Newsletter", lists.Text("#list-rows"));
        Assert.Contains("Monthly news", lists.Text("#list-rows"));
        Assert.Equal(1, await app.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task AddMemberByEmail_CreatesTheContact_RemoveAndDeleteKeepCountsAndContacts()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var list = await app.AddListAsync(acme, "Customers");
        var existing = await app.AddContactAsync(acme, "kim@example.com", "Kim");
        var page = await owner.GetPageAsync($"/lists/{list.Id}");

        await owner.HtmxPostAsync(page, $"/lists/{list.Id}?handler=Add", new() { ["email"] = "New.Person@Example.com" });
        await owner.HtmxPostAsync(page, $"/lists/{list.Id}?handler=Add", new() { ["email"] = "kim@example.com" });
        var twice = await owner.HtmxPostAsync(page, $"/lists/{list.Id}?handler=Add", new() { ["email"] = "KIM@example.com" });
        Assert.Contains("kim@example.com is already in Customers.", twice.ToastMessage());
        var bad = await owner.HtmxPostAsync(page, $"/lists/{list.Id}?handler=Add", new() { ["email"] = "nope" });
        Assert.Contains("'nope' is not a valid email address.", bad.ToastMessage());

        var members = await owner.GetPageAsync($"/lists/{list.Id}");
        Assert.Equal("2", members.Text("#member-count"));
        Assert.Equal(["new.person@example.com", "kim@example.com"], members.QuerySelectorAll("#member-rows a").Select(a => a.TextContent).ToArray());

        var removed = await owner.HtmxPostAsync(members, $"/lists/{list.Id}?handler=Remove&contactId={existing.Id}");
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal("1", await (await owner.GetAsync($"/lists/{list.Id}?handler=Count")).Content.ReadAsStringAsync());

        await owner.HtmxPostAsync(members, $"/lists?handler=Delete&id={list.Id}");
        Assert.Equal(0, await app.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().CountAsync()));
        Assert.Equal(2, (await app.ContactsOfAsync(acme)).Count);
    }

    [Fact]
    public async Task ListPage_SearchesAndPagesItsMembersOnly()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var list = await app.AddListAsync(acme, "Big");
        await app.AddContactsAsync(acme, Enumerable.Range(1, 60).Select(i => ($"member{i:00}@example.com", $"Member {i}")), list.Id);
        await app.AddContactsAsync(acme, Enumerable.Range(1, 5).Select(i => ($"outsider{i}@example.com", $"Member Outside {i}")));

        var first = await owner.GetPageAsync($"/lists/{list.Id}");
        Assert.Equal("60", first.Text("#member-count"));
        var rows = first.QuerySelectorAll("#member-rows tr a").Select(a => a.TextContent).ToList();
        Assert.Equal(50, rows.Count);
        Assert.Equal("member60@example.com", rows[0]);
        var second = await owner.GetPageAsync(first.QuerySelector("#page-next")!.GetAttribute("href")!);
        Assert.Equal(10, second.QuerySelectorAll("#member-rows tr a").Length);
        Assert.Null(second.QuerySelector("#page-next"));

        var search = await owner.GetPageAsync($"/lists/{list.Id}?q=member 1");
        Assert.Equal(["member01@example.com", "member10@example.com", "member11@example.com", "member12@example.com", "member13@example.com", "member14@example.com",
                      "member15@example.com", "member16@example.com", "member17@example.com", "member18@example.com", "member19@example.com"],
            search.QuerySelectorAll("#member-rows tr a").Select(a => a.TextContent).Order(StringComparer.Ordinal).ToArray());
        var outsiders = await owner.GetPageAsync($"/lists/{list.Id}?q=outsider");
        Assert.Empty(outsiders.QuerySelectorAll("#member-rows tr a"));

        var export = await (await owner.GetAsync($"/lists/{list.Id}?handler=Export")).Content.ReadAsStringAsync();
        Assert.Equal(61, export.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("outsider", export);
    }
}

public sealed class ListPageTests_Sqlite() : ListPageTests(DatabaseKind.Sqlite);
public sealed class ListPageTests_MariaDb() : ListPageTests(DatabaseKind.MariaDb);
