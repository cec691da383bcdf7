using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.SmtpAccounts;

public abstract class SmtpAccountPageTests(DatabaseKind kind)
{
    private const string Password = "s3cret-Pa55word!";

    [Fact]
    public async Task Create_EncryptsThePassword_AndTheEditFormNeverShowsIt_BlankKeepsIt()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        await owner.CreateDomainAsync("example.com");
        var id = await owner.CreateSmtpAccountAsync("News@Example.com", "SMTP.Relay.example.net", 2525, SmtpSecurity.StartTls, "relay-user", Password,
            maxConnections: 7, messagesPerSecond: 123);

        var account = await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().SingleAsync(a => a.Id == id));
        Assert.Equal("News@example.com", account.FromEmail);
        Assert.Equal("smtp.relay.example.net", account.Host);
        Assert.Equal(2525, account.Port);
        Assert.Equal(SmtpSecurity.StartTls, account.Security);
        Assert.Equal((7, 123, 0), (account.MaxConnections, account.MessagesPerSecond, account.DailyLimit));
        Assert.DoesNotContain(Password, account.PasswordProtected);
        var secrets = app.Services.GetRequiredService<SecretProtector>();
        Assert.Equal(Password, secrets.Unprotect(account.PasswordProtected!));

        var list = await owner.GetAsync("/smtp-accounts");
        Assert.DoesNotContain(Password, await list.Content.ReadAsStringAsync());
        var editHtml = await (await owner.GetAsync($"/smtp-accounts/edit/{id}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(Password, editHtml);
        Assert.DoesNotContain(account.PasswordProtected!, editHtml);
        var edit = await WebSession.ParseAsync(editHtml);
        Assert.Equal("", edit.QuerySelector("#Input_Password")!.GetAttribute("value"));
        Assert.Contains("leave blank to keep the current password", edit.QuerySelector("#password-hint")!.TextContent, StringComparison.OrdinalIgnoreCase);

        // Edit with a blank password: everything else changes, the password stays.
        var saved = await owner.SubmitFormAsync(edit, $"/smtp-accounts/edit/{id}", new() { ["Input.Port"] = "587", ["Input.Password"] = "" }, "#account-form form");
        Assert.Equal($"/smtp-accounts?saved={id}", saved.Headers.Location?.OriginalString);
        account = await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().SingleAsync(a => a.Id == id));
        Assert.Equal(587, account.Port);
        Assert.Equal(Password, secrets.Unprotect(account.PasswordProtected!));

        // A new password replaces it; a failed validation does not echo it back.
        var invalid = await owner.SubmitFormAsync($"/smtp-accounts/edit/{id}", new() { ["Input.Password"] = "brand-new-pw", ["Input.MaxConnections"] = "51" }, "#account-form form");
        var invalidHtml = await invalid.Content.ReadAsStringAsync();
        Assert.Contains("Between 1 and 50 connections.", invalidHtml);
        Assert.DoesNotContain("brand-new-pw", invalidHtml);
        await owner.SubmitFormAsync($"/smtp-accounts/edit/{id}", new() { ["Input.Password"] = "brand-new-pw" }, "#account-form form");
        account = await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().SingleAsync(a => a.Id == id));
        Assert.Equal("brand-new-pw", secrets.Unprotect(account.PasswordProtected!));
    }

    [Theory]
    [InlineData("news@other.example", "other.example is not a sending domain of this workspace")]
    [InlineData("not-an-address", "Enter a valid email address.")]
    [InlineData("", "Enter the address mail is sent from.")]
    public async Task Create_FromAnAddressOutsideTheWorkspacesDomains_IsRefused(string email, string message)
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        await owner.CreateDomainAsync("example.com");
        var response = await owner.SubmitFormAsync("/smtp-accounts/edit", SendingBuilders.SmtpAccountFields(email, "smtp.example.net", 587), "#account-form form");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains(message, page.QuerySelector("[data-valmsg-for='Input.FromEmail']")!.TextContent);
        Assert.Equal(0, await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task Create_ValidatesEveryField_WithMessagesNextToThem()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        await owner.CreateDomainAsync("example.com");
        var fields = SendingBuilders.SmtpAccountFields("a@example.com", "bad host!", 0, user: "someone");
        fields["Input.MessagesPerSecond"] = "0";
        fields["Input.DailyLimit"] = "-1";
        var page = await owner.GetPageAsync("/smtp-accounts");
        var response = await owner.HtmxPostAsync(page, "/smtp-accounts/edit", fields);
        var form = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        string Message(string field) => form.QuerySelector($"[data-valmsg-for='{field}']")!.TextContent;
        Assert.Contains("Enter a host name", Message("Input.Host"));
        Assert.Contains("between 1 and 65535", Message("Input.Port"));
        Assert.Contains("Between 1 and 1000", Message("Input.MessagesPerSecond"));
        Assert.Contains("0 (no limit)", Message("Input.DailyLimit"));
        Assert.Contains("Enter the password for this username.", Message("Input.Password"));
        Assert.Equal(0, await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task Create_ForAnInactiveDomain_IsRefused()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var domainId = await owner.CreateDomainAsync("example.com");
        await owner.HtmxPostAsync(await owner.GetPageAsync("/domains"), $"/domains?handler=Toggle&id={domainId}");
        var response = await owner.SubmitFormAsync("/smtp-accounts/edit", SendingBuilders.SmtpAccountFields("a@example.com", "smtp.example.net", 587), "#account-form form");
        Assert.Contains("example.com is inactive", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Create_OverHtmx_ClosesTheEditorAndRefreshesTheList()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        await owner.CreateDomainAsync("example.com");
        var page = await owner.GetPageAsync("/smtp-accounts");
        var response = await owner.HtmxPostAsync(page, "/smtp-accounts/edit", SendingBuilders.SmtpAccountFields("a@example.com", "smtp.example.net", 587));
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        var trigger = response.Headers.GetValues("HX-Trigger").Single();
        Assert.Contains("accounts-changed", trigger);
        Assert.Contains("was added", trigger);
        var list = await owner.GetAsync("/smtp-accounts?handler=List");
        Assert.Contains("a@example.com", await list.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TestConnection_Success_ShowsCapabilitiesAndEncryption()
    {
        await using var smtp = FaultySmtpServer.Start(new() { Username = "relay", Password = Password });
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        await owner.CreateDomainAsync("example.com");
        var id = await owner.CreateSmtpAccountAsync("news@example.com", smtp.Host, smtp.Port, SmtpSecurity.None, "relay", Password);

        var (outcome, summary, html) = await owner.TestSmtpConnectionAsync(id);
        Assert.Equal("Success", outcome);
        Assert.Contains("NOT encrypted", summary);
        Assert.Contains("Signed in as relay", summary);
        foreach (var capability in new[] { "PIPELINING", "8BITMIME", "SIZE", "AUTH LOGIN PLAIN", "SMTPUTF8" })
            Assert.Contains(capability, html);
        Assert.DoesNotContain(Password, html);
    }

    [Fact]
    public async Task TestConnection_WrongPassword_SaysAuthenticationFailed()
    {
        await using var smtp = FaultySmtpServer.Start(new() { Username = "relay", Password = Password, RejectAuth = true });
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        await owner.CreateDomainAsync("example.com");
        var id = await owner.CreateSmtpAccountAsync("news@example.com", smtp.Host, smtp.Port, SmtpSecurity.None, "relay", Password);
        var (outcome, summary, _) = await owner.TestSmtpConnectionAsync(id);
        Assert.Equal("AuthenticationFailed", outcome);
        Assert.Contains("Authentication failed", summary);
        Assert.Contains("535", summary);
    }

    [Fact]
    public async Task TestConnection_SelfSignedStartTls_IsRefusedUntilTheCheckboxIsSet()
    {
        await using var smtp = FaultySmtpServer.Start(new() { StartTls = true });
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        await owner.CreateDomainAsync("example.com");
        var id = await owner.CreateSmtpAccountAsync("news@example.com", smtp.Host, smtp.Port, SmtpSecurity.StartTls);

        var (outcome, summary, _) = await owner.TestSmtpConnectionAsync(id);
        Assert.Equal("CertificateNotTrusted", outcome);
        Assert.Contains("certificate is not trusted", summary);
        Assert.Contains("Accept an invalid certificate", summary);

        await owner.SubmitFormAsync($"/smtp-accounts/edit/{id}", new() { ["Input.AcceptInvalidCertificate"] = "true" }, "#account-form form");
        (outcome, summary, _) = await owner.TestSmtpConnectionAsync(id);
        Assert.Equal("Success", outcome);
        Assert.Contains("is encrypted", summary);
    }

    [Fact]
    public async Task TestConnection_ClosedPort_SaysRefused()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        await owner.CreateDomainAsync("example.com");
        var id = await owner.CreateSmtpAccountAsync("news@example.com", "127.0.0.1", port);
        var (outcome, summary, _) = await owner.TestSmtpConnectionAsync(id);
        Assert.Equal("ConnectionRefused", outcome);
        Assert.Contains("refused", summary);
    }

    [Fact]
    public async Task Delete_WhileMessagesReferenceTheAccount_IsRefused_DeactivateWorks()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        await owner.CreateDomainAsync("example.com");
        var id = await owner.CreateSmtpAccountAsync("news@example.com", "smtp.example.net", 587);
        var workspaceId = await app.WorkspaceIdAsync("Acme");
        await app.QueryAsync(async db =>
        {
            var content = new MessageContent { WorkspaceId = workspaceId, FromAddress = "news@example.com", ToHeader = "a@example.test", Subject = "Hi" };
            db.MessageContents.Add(content);
            db.OutboundMessages.Add(new OutboundMessage
            {
                WorkspaceId = workspaceId, SmtpAccountId = id, Content = content, Recipient = "a@example.test", MessageId = "m1@example.com",
                Status = MessageStatus.Sent, DueAt = DateTime.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        var page = await owner.GetPageAsync("/smtp-accounts");
        var refused = await owner.HtmxPostAsync(page, $"/smtp-accounts?handler=Delete&id={id}");
        Assert.Contains("cannot be deleted: 1 message in the log was sent through it. Deactivate it instead.", refused.Headers.GetValues("HX-Trigger").Single());
        Assert.Equal(1, await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().CountAsync()));

        var toggled = await owner.HtmxPostAsync(page, $"/smtp-accounts?handler=Toggle&id={id}");
        Assert.Contains("Inactive", await toggled.Content.ReadAsStringAsync());
        Assert.False(await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().Select(a => a.IsActive).SingleAsync()));
    }

    [Fact]
    public async Task Viewer_SeesAccounts_ButCannotCreateEditTestOrDelete()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        await owner.CreateDomainAsync("example.com");
        var id = await owner.CreateSmtpAccountAsync("news@example.com", "smtp.example.net", 587);
        await app.AddMemberAsync(await app.WorkspaceIdAsync("Acme"), "viewer@example.test", WorkspaceRole.Viewer);
        var viewer = await app.SignInMemberAsync("viewer@example.test");

        var page = await viewer.GetPageAsync("/smtp-accounts");
        Assert.Contains("news@example.com", page.QuerySelector($"#account-{id}")!.TextContent);
        Assert.Null(page.QuerySelector("#add-account"));
        Assert.Null(page.QuerySelector($"#account-{id} form"));
        Assert.NotEqual(HttpStatusCode.OK, (await viewer.GetAsync("/smtp-accounts/edit")).StatusCode);

        var create = await viewer.HtmxPostAsync(page, "/smtp-accounts/edit", SendingBuilders.SmtpAccountFields("v@example.com", "smtp.example.net", 587));
        Assert.NotEqual(HttpStatusCode.OK, create.StatusCode);
        foreach (var url in new[] { $"/smtp-accounts/edit/{id}", $"/smtp-accounts?handler=Test&id={id}", $"/smtp-accounts?handler=Toggle&id={id}", $"/smtp-accounts?handler=Delete&id={id}" })
        {
            var response = await viewer.HtmxPostAsync(page, url, SendingBuilders.SmtpAccountFields("news@example.com", "evil.example.net", 25));
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden || response.Headers.Location?.OriginalString.Contains("AccessDenied") == true,
                $"{url} answered {(int)response.StatusCode}");
        }
        var account = await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(("smtp.example.net", true), (account.Host, account.IsActive));
    }

    [Fact]
    public async Task AnotherWorkspacesAccount_Is404_AndItsDomainCannotBeUsed()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        await owner.CreateDomainAsync("acme.example");
        var id = await owner.CreateSmtpAccountAsync("news@acme.example", "smtp.example.net", 587);
        await owner.CreateWorkspaceAsync("Beta");

        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/smtp-accounts/edit/{id}")).StatusCode);
        var page = await owner.GetPageAsync("/smtp-accounts");
        Assert.DoesNotContain("news@acme.example", page.Body!.TextContent);
        foreach (var url in new[] { $"/smtp-accounts/edit/{id}", $"/smtp-accounts?handler=Test&id={id}", $"/smtp-accounts?handler=Toggle&id={id}", $"/smtp-accounts?handler=Delete&id={id}" })
            Assert.Equal(HttpStatusCode.NotFound, (await owner.HtmxPostAsync(page, url, SendingBuilders.SmtpAccountFields("news@acme.example", "evil.example.net", 25))).StatusCode);

        // Beta cannot send from Acme's domain either.
        var response = await owner.SubmitFormAsync("/smtp-accounts/edit", SendingBuilders.SmtpAccountFields("x@acme.example", "smtp.example.net", 587), "#account-form form");
        Assert.Contains("acme.example is not a sending domain of this workspace", await response.Content.ReadAsStringAsync());
        var account = await app.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().SingleAsync());
        Assert.Equal(("smtp.example.net", true), (account.Host, account.IsActive));
    }
}

public sealed class SmtpAccountPageTests_Sqlite() : SmtpAccountPageTests(DatabaseKind.Sqlite);
public sealed class SmtpAccountPageTests_MariaDb() : SmtpAccountPageTests(DatabaseKind.MariaDb);
