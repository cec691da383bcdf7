using System.Net;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Deploy;

/// <summary>The built app as an OS process, set up through a real Nginx running the committed deploy/nginx/sendcraft.conf.</summary>
public sealed class NginxInFrontOfApp : IAsyncLifetime
{
    public AppProcess App { get; private set; } = null!;
    public NginxProcess Nginx { get; private set; } = null!;

    /// <summary>Through Nginx; redirects not followed, cookies kept.</summary>
    public WebSession NewSession() =>
        new(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = Nginx.BaseAddress, Timeout = TimeSpan.FromSeconds(30) });

    public async Task InitializeAsync()
    {
        App = await AppProcess.StartAsync(DatabaseKind.Sqlite);
        Nginx = await NginxProcess.StartAsync(App.Port);

        // Setup through the proxy: form posts with antiforgery cookies and tokens survive it.
        var setup = await NewSession().SubmitFormAsync("/Setup", new()
        {
            ["Input.DisplayName"] = "Olivia Owner", ["Input.Email"] = "owner@example.test",
            ["Input.Password"] = SendCraftApp.OwnerPassword, ["Input.ConfirmPassword"] = SendCraftApp.OwnerPassword,
            ["Input.WorkspaceName"] = "Acme",
        });
        Assert.True(setup.Headers.Location?.OriginalString == "/",
            $"Setup through Nginx answered {(int)setup.StatusCode} {setup.Headers.Location}\n{Nginx.ErrorLog}\n{App.OutputTail()}");
    }

    public async Task DisposeAsync()
    {
        if (Nginx is not null) await Nginx.DisposeAsync();
        if (App is not null) await App.DisposeAsync();
    }
}

public sealed class NginxTests(NginxInFrontOfApp site) : IClassFixture<NginxInFrontOfApp>
{
    [Fact]
    public async Task CommittedSiteFile_PassesNginxConfigurationTest()
    {
        var config = NginxConfig.Write(RepoPaths.FreeLoopbackPort(), appPort: 5000);
        try
        {
            var (exitCode, output) = await NginxProcess.RunAsync(config.TestArguments);
            Assert.True(exitCode == 0, output);
            Assert.Contains("test is successful", output);
        }
        finally
        {
            Directory.Delete(config.Prefix, recursive: true);
        }
    }

    [Fact]
    public async Task LoginPage_ThroughNginx_AnswersWithTheForm()
    {
        var response = await site.NewSession().GetAsync("/Account/Login");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("nginx", response.Headers.Server.ToString());
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.NotNull(page.QuerySelector("form[method=post] input[name='Input.Email']"));
        Assert.NotNull(page.QuerySelector("form[method=post] input[name='Input.Password']"));
        Assert.NotNull(page.QuerySelector("form[method=post] input[name=__RequestVerificationToken]"));
    }

    [Fact]
    public async Task UnauthenticatedRequest_ThroughNginx_RedirectsToTheHostAndPortTheBrowserUsed()
    {
        var session = site.NewSession();
        var response = await session.GetAsync("/Settings");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        // Nginx's port, not the app's: Nginx passes Host without the port, so the port can only come from X-Forwarded-Host.
        Assert.StartsWith($"http://127.0.0.1:{site.Nginx.Port}/Account/Login?ReturnUrl=%2FSettings", response.Headers.Location!.ToString());

        // A public name, and a client trying to claim https: Nginx replaces X-Forwarded-Proto with the real scheme.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Settings");
        request.Headers.Host = "mail.example.test:8443";
        request.Headers.Add("X-Forwarded-Proto", "https");
        var named = await session.Client.SendAsync(request);
        Assert.StartsWith("http://mail.example.test:8443/Account/Login?ReturnUrl=%2FSettings", named.Headers.Location!.ToString());
    }

    [Fact]
    public async Task StaticFiles_ThroughNginx_VersionedUrlsAreCachedForAYear_OthersForAnHour()
    {
        var session = site.NewSession();
        var login = await session.GetPageAsync("/Account/Login");
        var stylesheet = login.QuerySelector("link[rel=stylesheet][href^='/css/site.css']")!.GetAttribute("href")!;
        Assert.Contains("?v=", stylesheet); // asp-append-version: the URL changes whenever the file does

        var versioned = await session.GetAsync(stylesheet);
        Assert.Equal(HttpStatusCode.OK, versioned.StatusCode);
        Assert.Equal("text/css", versioned.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", string.Join(", ", versioned.Headers.GetValues("Cache-Control")));

        var library = await session.GetAsync("/lib/htmx/htmx.min.js");
        Assert.Equal(HttpStatusCode.OK, library.StatusCode);
        Assert.Contains("2.0.11", await library.Content.ReadAsStringAsync());
        Assert.Equal("public, max-age=3600", string.Join(", ", library.Headers.GetValues("Cache-Control")));
    }
}
