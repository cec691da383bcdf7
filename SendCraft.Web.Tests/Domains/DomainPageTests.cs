using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Mvc.Testing;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Domains;

public abstract class DomainPageTests(DatabaseKind kind)
{
    [Fact]
    public async Task Create_ShowsDnsRecordsWithThePublicKey_AndStoresOnlyTheEncryptedPrivateKey()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var id = await owner.CreateDomainAsync("Example.COM.");

        var domain = await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().SingleAsync(d => d.Id == id));
        Assert.Equal("example.com", domain.Name);
        Assert.Equal("sendcraft", domain.DkimSelector);
        Assert.True(domain.IsActive);
        Assert.DoesNotContain("BEGIN", domain.DkimPrivateKeyProtected);
        Assert.DoesNotContain("PRIVATE", domain.DkimPrivateKeyProtected);
        // ...and it is the private half of the published key.
        var pem = app.Services.GetRequiredService<SecretProtector>().Unprotect(domain.DkimPrivateKeyProtected);
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportFromPem(pem);
        Assert.Equal(2048, rsa.KeySize);
        Assert.Equal(domain.DkimPublicKey, Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()));

        var page = await owner.GetPageAsync($"/domains/{id}");
        Assert.Equal("sendcraft._domainkey.example.com", page.QuerySelector("#dkim-name")!.GetAttribute("value"));
        Assert.Equal($"v=DKIM1; k=rsa; p={domain.DkimPublicKey}", page.QuerySelector("#dkim-value")!.TextContent.Trim());
        Assert.Equal("_dmarc.example.com", page.QuerySelector("#dmarc-name")!.GetAttribute("value"));
        Assert.Equal("v=DMARC1; p=none; rua=mailto:dmarc@example.com", page.QuerySelector("#dmarc-value")!.GetAttribute("value"));
        Assert.StartsWith("v=spf1 include:", page.QuerySelector("#spf-value")!.GetAttribute("value"));
        Assert.Contains("must include your SMTP provider", page.Body!.TextContent);
        foreach (var target in new[] { "#dkim-name", "#dkim-value", "#spf-name", "#spf-value", "#dmarc-name", "#dmarc-value" })
            Assert.NotNull(page.QuerySelector($"button[data-copy='{target}']"));
        Assert.DoesNotContain("PRIVATE KEY", page.DocumentElement.OuterHtml);

        // With an account, SPF names its relay host.
        await owner.CreateSmtpAccountAsync("news@example.com", "smtp.relay.example.net", 587, SmtpSecurity.StartTls);
        page = await owner.GetPageAsync($"/domains/{id}");
        Assert.Equal("v=spf1 a:smtp.relay.example.net ~all", page.QuerySelector("#spf-value")!.GetAttribute("value"));

        var list = await owner.GetPageAsync("/domains");
        Assert.Contains("example.com", list.QuerySelector($"#domain-{id}")!.TextContent);
        Assert.NotNull(list.QuerySelector("a#suppressions-link[href='/suppressions']"));
    }

    [Fact]
    public async Task Create_WithCustomSelector_AndIdnName()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var response = await owner.SubmitFormAsync("/domains", new() { ["Input.Name"] = "Bücher.example", ["Input.Selector"] = "Mail2026" }, "#domain-form form");
        var page = await owner.FollowAsync(response);
        Assert.Equal("mail2026._domainkey.xn--bcher-kva.example", page.QuerySelector("#dkim-name")!.GetAttribute("value"));
        Assert.Contains("bücher.example", page.QuerySelector("h1")!.TextContent);
        Assert.Contains("was added with a new DKIM key", page.QuerySelector(".alert-success")!.TextContent);
    }

    [Theory]
    [InlineData("localhost", "Input.Name", "at least one dot")]
    [InlineData("exa mple.com", "Input.Name", "not a valid domain name")]
    [InlineData("", "Input.Name", "Enter a domain name")]
    [InlineData("ok.example.com", "Input.Selector", "one DNS label")]
    public async Task Create_Invalid_ShowsTheMessageNextToTheField(string name, string field, string message)
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var fields = new Dictionary<string, string> { ["Input.Name"] = name };
        if (field == "Input.Selector") fields["Input.Selector"] = "bad selector";
        var response = await owner.SubmitFormAsync("/domains", fields, "#domain-form form");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains(message, page.QuerySelector($"[data-valmsg-for='{field}']")!.TextContent);
        Assert.Equal(0, await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task Create_Duplicate_IsRefusedWithAClearMessage_AlsoOverHtmx()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        await owner.CreateDomainAsync("example.com");
        var page = await owner.GetPageAsync("/domains");
        var response = await owner.HtmxPostAsync(page, "/domains?handler=Create", new() { ["Input.Name"] = "EXAMPLE.com", ["Input.Selector"] = "sendcraft" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var form = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.NotNull(form.QuerySelector("#domain-form"));
        Assert.Contains("example.com is already a sending domain in this workspace.", form.QuerySelector("[data-valmsg-for='Input.Name']")!.TextContent);
        Assert.Equal(1, await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().CountAsync()));

        // The same name in another workspace is fine: uniqueness is per workspace.
        await owner.CreateWorkspaceAsync("Beta");
        await owner.CreateDomainAsync("example.com");
        Assert.Equal(2, await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task Create_OverHtmx_RedirectsToTheDomainPage()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var page = await owner.GetPageAsync("/domains");
        Assert.NotNull(page.QuerySelector(".empty-state"));
        var response = await owner.HtmxPostAsync(page, "/domains?handler=Create", new() { ["Input.Name"] = "example.org", ["Input.Selector"] = "sendcraft" });
        var id = await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().Select(d => d.Id).SingleAsync());
        Assert.Equal($"/domains/{id}", response.Headers.GetValues("HX-Redirect").Single());
    }

    [Fact]
    public async Task Deactivate_Activate_AndDelete_RefusedWhileAnAccountUsesIt()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var id = await owner.CreateDomainAsync("example.com");
        var accountId = await owner.CreateSmtpAccountAsync("news@example.com", "smtp.example.net", 587, SmtpSecurity.StartTls);
        var page = await owner.GetPageAsync("/domains");

        var toggled = await owner.HtmxPostAsync(page, $"/domains?handler=Toggle&id={id}");
        // The answer is a bare <tr> (the row to swap), which an HTML parser drops outside a table: look at the text.
        var row = await toggled.Content.ReadAsStringAsync();
        Assert.StartsWith($"<tr id=\"domain-{id}\"", row.TrimStart());
        Assert.Contains("Inactive", row);
        Assert.Contains("is inactive", toggled.Headers.GetValues("HX-Trigger").Single());
        Assert.False(await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().Where(d => d.Id == id).Select(d => d.IsActive).SingleAsync()));
        await owner.HtmxPostAsync(page, $"/domains?handler=Toggle&id={id}");
        Assert.True(await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().Where(d => d.Id == id).Select(d => d.IsActive).SingleAsync()));

        var refused = await owner.HtmxPostAsync(page, $"/domains?handler=Delete&id={id}");
        Assert.Contains("cannot be deleted while 1 SMTP account uses it", refused.Headers.GetValues("HX-Trigger").Single());
        Assert.Equal(1, await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().CountAsync()));

        await owner.HtmxPostAsync(await owner.GetPageAsync("/smtp-accounts"), $"/smtp-accounts?handler=Delete&id={accountId}");
        var deleted = await owner.HtmxPostAsync(page, $"/domains?handler=Delete&id={id}");
        Assert.Equal("", await deleted.Content.ReadAsStringAsync());
        Assert.Equal(0, await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task CheckDns_AgainstATestDnsServer_SaysWhatIsPresentAndStoresTheResult()
    {
        await using var dns = new TestDnsServer();
        await using var app = await SendCraftApp.StartAsync(kind);
        // The same app and database, with DNS pointed at the in-test server instead of the system resolver.
        await using var withDns = app.WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.Replace(ServiceDescriptor.Singleton<IDnsTxtLookup>(new DnsClientTxtLookup(dns.EndPoint)))));
        var owner = new WebSession(withDns.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));
        await owner.SubmitFormAsync("/Setup", new()
        {
            ["Input.DisplayName"] = "Olivia Owner", ["Input.Email"] = "owner@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword,
            ["Input.ConfirmPassword"] = SendCraftApp.OwnerPassword, ["Input.WorkspaceName"] = "Acme",
        });
        var id = await owner.CreateDomainAsync("example.test");
        var key = await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().Where(d => d.Id == id).Select(d => d.DkimPublicKey).SingleAsync());

        dns.SetTxtValues("sendcraft._domainkey.example.test", DkimKeys.DnsRecordValue(key));
        dns.SetTxtValues("example.test", "v=spf1 a:relay.example.test ~all", "v=spf1 mx ~all");
        var page = await owner.GetPageAsync($"/domains/{id}");
        var response = await owner.HtmxPostAsync(page, $"/domains/{id}?handler=Check");
        var panel = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        var text = panel.QuerySelector("#dns-check")!.TextContent;
        Assert.Contains("DKIM: the record at sendcraft._domainkey.example.test is present and matches", text);
        Assert.Contains("more than one SPF record", text);
        Assert.Contains("DMARC: no DMARC record found at _dmarc.example.test", text);

        var stored = await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().SingleAsync(d => d.Id == id));
        Assert.NotNull(stored.DnsCheckedAt);
        Assert.Contains("matches this domain's key", stored.DnsCheckResult);

        // A different key, one SPF, a DMARC record: the next check says so.
        dns.SetTxtValues("sendcraft._domainkey.example.test", DkimKeys.DnsRecordValue(DkimKeys.Generate().PublicKeyBase64));
        dns.SetTxtValues("example.test", "v=spf1 a:relay.example.test ~all");
        dns.SetTxtValues("_dmarc.example.test", "v=DMARC1; p=none");
        response = await owner.HtmxPostAsync(page, $"/domains/{id}?handler=Check");
        text = (await WebSession.ParseAsync(await response.Content.ReadAsStringAsync())).QuerySelector("#dns-check")!.TextContent;
        Assert.Contains("present but has a different key", text);
        Assert.Contains("SPF: an SPF record is present", text);
        Assert.Contains("DMARC: a DMARC record is present", text);
        Assert.Contains("DNS needs attention", (await owner.GetPageAsync("/domains")).QuerySelector($"#domain-{id}")!.TextContent);
    }

    [Fact]
    public async Task Viewer_SeesDomains_ButCannotCreateToggleOrDelete()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var id = await owner.CreateDomainAsync("example.com");
        await app.AddMemberAsync(await app.WorkspaceIdAsync("Acme"), "viewer@example.test", WorkspaceRole.Viewer);
        var viewer = await app.SignInMemberAsync("viewer@example.test");

        var page = await viewer.GetPageAsync("/domains");
        Assert.Contains("example.com", page.QuerySelector($"#domain-{id}")!.TextContent);
        Assert.Null(page.QuerySelector("#domain-form"));
        Assert.Null(page.QuerySelector($"#domain-{id} form"));
        await viewer.GetPageAsync($"/domains/{id}");

        foreach (var url in new[] { "/domains?handler=Create", $"/domains?handler=Toggle&id={id}", $"/domains?handler=Delete&id={id}" })
        {
            var response = await viewer.HtmxPostAsync(page, url, new() { ["Input.Name"] = "viewer.example", ["Input.Selector"] = "sendcraft" });
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden || response.Headers.Location?.OriginalString.Contains("AccessDenied") == true,
                $"{url} answered {(int)response.StatusCode}");
        }
        var domains = await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().ToListAsync());
        Assert.Equal("example.com", Assert.Single(domains).Name);
        Assert.True(domains[0].IsActive);
    }

    [Fact]
    public async Task AnotherWorkspacesDomain_Is404()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync(workspace: "Acme");
        var id = await owner.CreateDomainAsync("acme.example");
        await owner.CreateWorkspaceAsync("Beta");

        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/domains/{id}")).StatusCode);
        var page = await owner.GetPageAsync("/domains");
        Assert.DoesNotContain("acme.example", page.Body!.TextContent);
        foreach (var url in new[] { $"/domains?handler=Toggle&id={id}", $"/domains?handler=Delete&id={id}", $"/domains/{id}?handler=Check" })
            Assert.Equal(HttpStatusCode.NotFound, (await owner.HtmxPostAsync(page, url)).StatusCode);
        var domain = await app.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().SingleAsync());
        Assert.True(domain.IsActive);
        Assert.Null(domain.DnsCheckedAt);
    }
}

public sealed class DomainPageTests_Sqlite() : DomainPageTests(DatabaseKind.Sqlite);
public sealed class DomainPageTests_MariaDb() : DomainPageTests(DatabaseKind.MariaDb);
