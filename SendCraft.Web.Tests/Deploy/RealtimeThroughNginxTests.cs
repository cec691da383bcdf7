using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using SendCraft.Web.Realtime;
using SendCraft.Web.Tests.Infrastructure;
using SendCraft.Web.Tests.Realtime;
using static Microsoft.Playwright.Assertions;

namespace SendCraft.Web.Tests.Deploy;

/// <summary>
/// Live updates through the committed Nginx site (deploy/nginx/sendcraft.conf) in front of the built app: the hubs
/// negotiate WebSockets and upgrade through the proxy, and a signed-in browser sees a notification arrive (bell count
/// and toast) without a reload. Screenshots go to TestResults/screenshots/RealtimeThroughNginx/.
/// </summary>
public sealed class RealtimeThroughNginxTests(NginxInFrontOfApp site) : IClassFixture<NginxInFrontOfApp>
{
    private const string Owner = "owner@example.test";

    [Fact]
    public async Task SignalRClient_ThroughNginx_NegotiatesWebSockets_AndConnectsWithThem()
    {
        var cookie = await RealtimeClients.SignInAsync(site.Nginx.BaseAddress, Owner);

        // The negotiate answer offers WebSockets.
        using var http = new HttpClient { BaseAddress = site.Nginx.BaseAddress };
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, $"{NotificationsHub.Path}/negotiate?negotiateVersion=1");
        negotiate.Headers.Add("Cookie", cookie);
        var answer = await http.SendAsync(negotiate);
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"negotiate answered {(int)answer.StatusCode}\n{site.Nginx.ErrorLog}");
        using var json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Contains("WebSockets", json.RootElement.GetProperty("availableTransports").EnumerateArray().Select(t => t.GetProperty("transport").GetString()));

        // A client allowed nothing but WebSockets connects through the proxy (the upgrade passes) and stays connected.
        foreach (var hub in new[] { NotificationsHub.Path, CampaignsHub.Path })
        {
            await using var connection = RealtimeClients.Connect(site.Nginx.BaseAddress, hub, cookie, HttpTransportType.WebSockets);
            await connection.StartAsync();
            Assert.Equal(HubConnectionState.Connected, connection.State);
        }

        // Without the cookie: 401 through the proxy too.
        await using var anonymous = RealtimeClients.Connect(site.Nginx.BaseAddress, NotificationsHub.Path, cookie: null);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task SignedInBrowser_ThroughNginx_SeesANotificationArrive_WithoutReload()
    {
        await using var browser = await BrowserFactory.LaunchAsync(site.Nginx.BaseAddress, RepoPaths.Results("screenshots", "RealtimeThroughNginx"));
        var page = browser.Page;
        var sockets = new List<string>();
        page.WebSocket += (_, ws) => { lock (sockets) sockets.Add(ws.Url); };

        await page.GotoAsync("/Account/Login");
        await page.Locator("#Input_Email").FillAsync(Owner);
        await page.Locator("#Input_Password").FillAsync(SendCraftApp.OwnerPassword);
        await page.Locator("form button[type=submit]").First.ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Dashboard");

        // The bell is in the navbar, with nothing unread; the page is connected to the notifications hub.
        var bell = page.Locator("#notification-bell");
        await Expect(bell).ToBeVisibleAsync();
        await Expect(bell.Locator(".notification-count")).ToHaveCountAsync(0);
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-realtime-notifications", "connected");
        await browser.ScreenshotAsync("signed-in");
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        var before = await bell.Locator(".notification-item").CountAsync();

        // Someone (the same owner, in another session through Nginx) imports a CSV; the worker notifies the workspace.
        var other = site.NewSession();
        Assert.Equal("/", (await other.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = Owner, ["Input.Password"] = SendCraftApp.OwnerPassword })).Headers.Location?.OriginalString);
        var listId = await RealtimeSteps.CreateListAsync(other, $"Readers {Guid.NewGuid():N}"[..16]);
        var importId = await other.UploadCsvAsync(listId, Encoding.UTF8.GetBytes("email,name\nann@example.com,Ann\nbob@example.com,Bob\n"));
        Assert.Equal(HttpStatusCode.Redirect, (await other.StartImportAsync(importId)).StatusCode);

        // Without a reload: the toast shows, the bell counts one more unread and lists it first.
        var toast = page.Locator(".notification-toast");
        await Expect(toast).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(toast).ToContainTextAsync("Import finished: 2 contacts, 0 errors");
        await Expect(toast.Locator($"a[href='/imports/{importId}']")).ToHaveCountAsync(1);
        await Expect(bell.Locator(".notification-count")).ToHaveTextAsync("1");
        await Expect(bell.Locator(".notification-item")).ToHaveCountAsync(Math.Min(before + 1, NotificationQueries.BellSize));
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "The page was reloaded.");
        await browser.ScreenshotAsync("notification-arrived");

        // The bell opens on the new notification, unread and linked to its import.
        await page.Locator("#notification-bell-button").ClickAsync();
        var first = bell.Locator(".notification-item").First;
        await Expect(first).ToHaveClassAsync(new Regex("is-unread"));
        await Expect(first.Locator("a")).ToHaveAttributeAsync("href", $"/imports/{importId}");
        await browser.ScreenshotAsync("bell-open");

        // Mark all read (htmx): the count goes, the bell reloads itself.
        await page.Locator("#notifications-mark-all").ClickAsync();
        await Expect(bell.Locator(".notification-count")).ToHaveCountAsync(0);

        lock (sockets)
            Assert.Contains(sockets, url => url.StartsWith($"ws://127.0.0.1:{site.Nginx.Port}{NotificationsHub.Path}", StringComparison.Ordinal));
        Assert.True(browser.Problems.Count == 0, "The pages reported problems:\n" + string.Join("\n", browser.Problems) + "\n--- app log ---\n" + site.App.OutputTail());
    }
}
