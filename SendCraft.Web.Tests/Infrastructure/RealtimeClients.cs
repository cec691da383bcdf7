using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// Real SignalR clients (Microsoft.AspNetCore.SignalR.Client) signed in with the app's own cookie: against the in-process
/// app (TestServer's handler and WebSocket client) or a real address (an AppProcess, Nginx).
/// </summary>
public static class RealtimeClients
{
    /// <summary>Signs in through the real login form of the in-process app and returns the request's Cookie header.</summary>
    public static async Task<string> SignInAsync(SendCraftApp app, string email, string password = SendCraftApp.OwnerPassword)
    {
        var jar = new CookieContainer();
        var client = app.CreateDefaultClient(new Uri("http://localhost/"), new CookieJarHandler(jar));
        await SignInAsync(new WebSession(client), email, password);
        return jar.GetCookieHeader(new Uri("http://localhost/"));
    }

    /// <summary>Signs in through the real login form at <paramref name="baseAddress"/> and returns the Cookie header.</summary>
    public static async Task<string> SignInAsync(Uri baseAddress, string email, string password = SendCraftApp.OwnerPassword)
    {
        var jar = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = jar }) { BaseAddress = baseAddress };
        await SignInAsync(new WebSession(client), email, password);
        return jar.GetCookieHeader(baseAddress);
    }

    private static async Task SignInAsync(WebSession session, string email, string password)
    {
        var response = await session.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.True(response.Headers.Location?.OriginalString == "/", $"Sign-in of {email} answered {(int)response.StatusCode} {response.Headers.Location}");
    }

    /// <summary>A hub connection to the in-process app over WebSockets (not started).</summary>
    public static HubConnection Connect(SendCraftApp app, string hubPath, string? cookie) =>
        new HubConnectionBuilder().WithUrl(new Uri(app.Server.BaseAddress, hubPath), o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
            if (cookie is not null) o.Headers["Cookie"] = cookie;
            o.WebSocketFactory = async (context, ct) =>
            {
                var client = app.Server.CreateWebSocketClient();
                if (cookie is not null) client.ConfigureRequest = r => r.Headers.Cookie = cookie;
                return await client.ConnectAsync(context.Uri, ct);
            };
        }).Build();

    /// <summary>A hub connection to a real server (not started). <paramref name="transports"/>: what the client may use.</summary>
    public static HubConnection Connect(Uri baseAddress, string hubPath, string? cookie, HttpTransportType transports = HttpTransportType.WebSockets) =>
        new HubConnectionBuilder().WithUrl(new Uri(baseAddress, hubPath), o =>
        {
            o.Transports = transports;
            if (cookie is not null) o.Headers["Cookie"] = cookie;
        }).Build();

    /// <summary>Collects the messages a connection receives for <paramref name="method"/>.</summary>
    public static Inbox<T> Collect<T>(this HubConnection connection, string method)
    {
        var inbox = new Inbox<T>();
        connection.On<T>(method, inbox.Add);
        return inbox;
    }

    /// <summary>Keeps and forwards cookies for a client built on a handler that does not (TestServer's).</summary>
    private sealed class CookieJarHandler(CookieContainer jar) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var header = jar.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0) request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, ct);
            if (response.Headers.TryGetValues("Set-Cookie", out var cookies))
                foreach (var c in cookies) jar.SetCookies(request.RequestUri!, c);
            return response;
        }
    }
}

/// <summary>Messages received by a hub connection, in order.</summary>
public sealed class Inbox<T>
{
    private readonly Channel<T> _messages = Channel.CreateUnbounded<T>();
    private readonly List<T> _all = [];

    internal void Add(T message)
    {
        lock (_all) _all.Add(message);
        _messages.Writer.TryWrite(message);
    }

    /// <summary>Everything received so far.</summary>
    public IReadOnlyList<T> All { get { lock (_all) return [.. _all]; } }

    /// <summary>The next message; fails after <paramref name="seconds"/>.</summary>
    public async Task<T> NextAsync(int seconds = 20)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try { return await _messages.Reader.ReadAsync(cts.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"No {typeof(T).Name} arrived within {seconds} s."); }
    }
}
