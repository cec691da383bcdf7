using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Web;

/// <summary>Names (contacts, display names, workspaces) refuse CR, LF and other control characters, in every form and the CSV import.</summary>
public abstract class PlainNameTests(DatabaseKind kind)
{
    private const string Rule = "cannot contain line breaks, tabs or other control characters.";

    [Fact]
    public async Task Setup_WithALineBreakInTheNames_IsRefused_AndCreatesNothing()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var response = await app.NewSession().SubmitFormAsync("/Setup", new()
        {
            ["Input.DisplayName"] = "Olivia\r\nBcc: someone@example.test",
            ["Input.Email"] = "owner@example.test",
            ["Input.Password"] = SendCraftApp.OwnerPassword,
            ["Input.ConfirmPassword"] = SendCraftApp.OwnerPassword,
            ["Input.WorkspaceName"] = "Acme\tNews",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Your name " + Rule, html);
        Assert.Contains("Workspace name " + Rule, html);
        Assert.Equal(0, await app.QueryAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Profile_DisplayNameWithALineFeed_IsRefused()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();

        var response = await owner.SubmitFormAsync("/Account/Profile", new() { ["Details.DisplayName"] = "Olivia\nOwner", ["Details.Email"] = "owner@example.test" }, "form[action*='handler=Details']");

        Assert.Contains("Name " + Rule, await response.Content.ReadAsStringAsync());
        Assert.Equal("Olivia Owner", await app.QueryAsync(db => db.Users.Select(u => u.DisplayName).SingleAsync()));
    }

    [Fact]
    public async Task WorkspaceName_WithAControlCharacter_IsRefused_InSettingsAndWhenCreatingOne()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");

        var settings = await owner.SubmitFormAsync("/Settings", new() { ["Input.Name"] = "Acme\r\nEvil" });
        Assert.Contains("Workspace name " + Rule, await settings.Content.ReadAsStringAsync());

        var created = await owner.SubmitFormAsync("/Workspaces/New", new() { ["Name"] = "Other\u0007" });
        Assert.Contains("Workspace name " + Rule, await created.Content.ReadAsStringAsync());

        Assert.Equal(["Acme"], await app.QueryAsync(db => db.Workspaces.Select(w => w.Name).ToListAsync()));
    }

    [Fact]
    public async Task Invitation_DisplayNameWithALineBreak_IsRefused()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var members = await owner.GetPageAsync("/Settings/Members");
        var invited = await owner.HtmxPostAsync(members, "/Settings/Members?handler=Invite", new() { ["email"] = "ivy@example.test", ["role"] = "Member" });
        var link = new Uri((await WebSession.ParseAsync(await invited.Content.ReadAsStringAsync())).QuerySelector("#invitation-link")!.GetAttribute("value")!).PathAndQuery;

        var response = await app.NewSession().SubmitFormAsync(link, new()
        {
            ["Input.DisplayName"] = "Ivy\r\nInvitee", ["Input.Password"] = "invitee pass 12", ["Input.ConfirmPassword"] = "invitee pass 12",
        });

        Assert.Contains("Your name " + Rule, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, await app.QueryAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task ContactName_WithALineBreak_IsRefused_OnCreateAndOnEdit()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var page = await owner.GetPageAsync("/contacts");

        var create = await owner.HtmxPostAsync(page, "/contacts?handler=Create", new() { ["Input.Email"] = "ann@example.com", ["Input.Name"] = "Ann\nLee" });
        Assert.Contains("Name " + Rule, await create.Content.ReadAsStringAsync());
        Assert.Empty(await app.ContactsOfAsync(acme));

        var carol = await app.AddContactAsync(acme, "carol@example.com", "Carol");
        var details = await owner.GetPageAsync($"/contacts/{carol.Id}");
        var edit = await owner.HtmxPostAsync(details, $"/contacts/{carol.Id}?handler=Save", new() { ["Input.Email"] = "carol@example.com", ["Input.Name"] = "Carol\rX", ["Input.Status"] = "Active" });
        Assert.Contains("Name " + Rule, await edit.Content.ReadAsStringAsync());
        Assert.Equal("Carol", (await app.ContactsOfAsync(acme)).Single().Name);
    }

    [Fact]
    public async Task CsvImport_RowWithALineBreakInTheName_IsReportedWithItsLine_AndNotImported()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var acme = await app.WorkspaceIdAsync("Acme");
        var list = await app.AddListAsync(acme, "Imported");
        var csv = "email,name\r\nann@example.com,\"Ann\r\nLee\"\r\nbob@example.com,Bob\r\ncarol@example.com,\"Car\u0000ol\"\r\n";

        var import = await app.ImportCsvAsync(owner, list.Id, Encoding.UTF8.GetBytes(csv));

        Assert.Equal(ImportStatus.Completed, import.Status);
        Assert.Equal((1L, 2L), (import.Imported, import.Invalid));
        Assert.Equal(["bob@example.com"], (await app.ContactsOfAsync(acme)).Select(c => c.Email).ToArray());
        var report = (await File.ReadAllTextAsync(import.ErrorFilePath!)).TrimStart('\uFEFF');
        Assert.Contains("\r\n2,\"Name " + Rule + "\",", report); // quoted: the reason has commas
        Assert.Contains("\r\n5,\"Name " + Rule + "\",", report);
    }
}

public sealed class PlainNameTests_Sqlite() : PlainNameTests(DatabaseKind.Sqlite);
public sealed class PlainNameTests_MariaDb() : PlainNameTests(DatabaseKind.MariaDb);
