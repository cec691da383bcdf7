using System.Net;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Suppressions;

public abstract class SuppressionPageTests(DatabaseKind kind)
{
    private static async Task<HttpResponseMessage> AddAsync(WebSession session, string email, string? note = null) =>
        await session.SubmitFormAsync("/suppressions", new() { ["Input.Email"] = email, ["Input.Note"] = note ?? "" }, "#suppression-form form");

    [Fact]
    public async Task Add_LowerCasesTheAddress_ShowsAManualBadge_AndRefusesDuplicatesAndInvalidAddresses()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var empty = await owner.GetPageAsync("/suppressions");
        Assert.Contains("No suppressed addresses", empty.QuerySelector(".empty-state")!.TextContent);

        var added = await AddAsync(owner, "  Someone@Example.COM ", "asked by phone");
        var page = await owner.FollowAsync(added);
        var row = page.QuerySelector("#suppression-rows tr")!;
        Assert.Contains("someone@example.com", row.TextContent);
        Assert.Contains("asked by phone", row.TextContent);
        Assert.Equal("added by hand", row.QuerySelector(".badge")!.TextContent.Trim());
        var stored = await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(("someone@example.com", SuppressionReason.Manual), (stored.Email, stored.Reason));

        var duplicate = await owner.HtmxPostAsync(page, "/suppressions?handler=Add", new() { ["Input.Email"] = "SOMEONE@example.com" });
        var form = await WebSession.ParseAsync(await duplicate.Content.ReadAsStringAsync());
        Assert.Contains("someone@example.com is already on the suppression list (added by hand).", form.QuerySelector("[data-valmsg-for='Input.Email']")!.TextContent);

        var invalid = await AddAsync(owner, "not an address");
        Assert.Contains("Enter a valid email address.", await invalid.Content.ReadAsStringAsync());
        Assert.Equal(1, await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task Search_ByPrefix_AndKeysetPaging_FiftyAPage()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var workspaceId = await app.WorkspaceIdAsync("Acme");
        await app.QueryAsync(async db =>
        {
            for (var i = 0; i < 120; i++)
                db.Suppressions.Add(new Suppression { WorkspaceId = workspaceId, Email = $"user{i:000}@example.test", Reason = SuppressionReason.HardBounce });
            db.Suppressions.Add(new Suppression { WorkspaceId = workspaceId, Email = "zed@example.test", Reason = SuppressionReason.Complaint });
            return await db.SaveChangesAsync();
        });

        var first = await owner.GetPageAsync("/suppressions");
        var emails = first.QuerySelectorAll("#suppression-rows tr .font-monospace").Select(e => e.TextContent).ToList();
        Assert.Equal(50, emails.Count);
        Assert.Equal("user000@example.test", emails[0]);
        Assert.Equal("user049@example.test", emails[^1]);

        var second = await owner.GetPageAsync(first.QuerySelector("#next-page")!.GetAttribute("href")!);
        Assert.Equal("user050@example.test", second.QuerySelector("#suppression-rows tr .font-monospace")!.TextContent);
        var third = await owner.GetPageAsync(second.QuerySelector("#next-page")!.GetAttribute("href")!);
        var last = third.QuerySelectorAll("#suppression-rows tr .font-monospace").Select(e => e.TextContent).ToList();
        Assert.Equal(21, last.Count);
        Assert.Equal("zed@example.test", last[^1]);
        Assert.Null(third.QuerySelector("#next-page"));
        Assert.Equal("complaint", third.QuerySelector("#suppression-rows tr:last-child .badge")!.TextContent.Trim());

        var search = await owner.GetAsync("/suppressions?handler=List&q=USER11");
        var found = (await WebSession.ParseAsync(await search.Content.ReadAsStringAsync())).QuerySelectorAll("#suppression-rows tr").ToList();
        Assert.Equal(10, found.Count);
        Assert.All(found, r => Assert.Contains("user11", r.TextContent));
        var none = await owner.GetPageAsync("/suppressions?q=nobody");
        Assert.Contains("No address starts with", none.QuerySelector(".empty-state")!.TextContent);
    }

    [Fact]
    public async Task Remove_DeletesTheRow_OnlyForAdmins()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        await AddAsync(owner, "gone@example.com");
        var id = await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().Select(s => s.Id).SingleAsync());

        await app.AddMemberAsync(await app.WorkspaceIdAsync("Acme"), "member@example.test", WorkspaceRole.Member);
        var member = await app.SignInMemberAsync("member@example.test");
        var memberPage = await member.GetPageAsync("/suppressions");
        Assert.Null(memberPage.QuerySelector($"#suppression-{id} form"));
        var refused = await member.HtmxPostAsync(memberPage, $"/suppressions?handler=Remove&id={id}");
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        // Members may add (it only ever stops mail).
        await AddAsync(member, "also@example.com");
        Assert.Equal(2, await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().CountAsync()));

        var page = await owner.GetPageAsync("/suppressions");
        Assert.Contains("hx-confirm", page.QuerySelector($"#suppression-{id} button")!.OuterHtml);
        var removed = await owner.HtmxPostAsync(page, $"/suppressions?handler=Remove&id={id}");
        Assert.Equal("", await removed.Content.ReadAsStringAsync());
        Assert.Contains("gone@example.com was removed", removed.Headers.GetValues("HX-Trigger").Single());
        Assert.Equal(["also@example.com"], await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().Select(s => s.Email).ToListAsync()));
    }

    [Fact]
    public async Task Viewer_CannotAdd()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        await app.AddMemberAsync(await app.WorkspaceIdAsync("Acme"), "viewer@example.test", WorkspaceRole.Viewer);
        var viewer = await app.SignInMemberAsync("viewer@example.test");
        var page = await viewer.GetPageAsync("/suppressions");
        Assert.Null(page.QuerySelector("#suppression-form"));
        var response = await viewer.HtmxPostAsync(page, "/suppressions?handler=Add", new() { ["Input.Email"] = "x@example.com" });
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task AnotherWorkspacesSuppression_Is404_AndInvisible()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        await AddAsync(owner, "acme-only@example.com");
        var id = await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().Select(s => s.Id).SingleAsync());
        await owner.CreateWorkspaceAsync("Beta");

        var page = await owner.GetPageAsync("/suppressions");
        Assert.DoesNotContain("acme-only@example.com", page.Body!.TextContent);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.HtmxPostAsync(page, $"/suppressions?handler=Remove&id={id}")).StatusCode);
        // The same address can be suppressed in Beta independently.
        await AddAsync(owner, "acme-only@example.com");
        Assert.Equal(2, await app.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().CountAsync()));
    }
}

public sealed class SuppressionPageTests_Sqlite() : SuppressionPageTests(DatabaseKind.Sqlite);
public sealed class SuppressionPageTests_MariaDb() : SuppressionPageTests(DatabaseKind.MariaDb);
