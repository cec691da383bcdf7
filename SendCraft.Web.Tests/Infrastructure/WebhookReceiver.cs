using System.Collections.Concurrent;
using System.Net;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener) that receives webhooks: it keeps every request (headers and body) and
/// answers as the test scripts it (a status code, or no answer for a while, to make the sender time out). It stops when
/// disposed, and by itself after five minutes whatever happens to the test.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Request(DateTime At, string Method, string Path, Dictionary<string, string> Headers, string Body);

    /// <summary>What to do with one request: answer Status after Delay (a Delay past the sender's timeout makes it time out).</summary>
    public sealed record Behaviour(int Status, TimeSpan Delay = default, string Body = "ok");

    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(5));
    private readonly ConcurrentQueue<Behaviour> _script = new();
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly Task _loop;

    private WebhookReceiver(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Url(string path = "/hooks") => $"http://127.0.0.1:{Port}{path}";
    public IReadOnlyList<Request> Requests => [.. _requests];
    /// <summary>The answer once the script is used up.</summary>
    public Behaviour Default { get; set; } = new(200);

    public static WebhookReceiver Start() => new(RepoPaths.FreeLoopbackPort());

    /// <summary>Answers the next requests in this order, then <see cref="Default"/>.</summary>
    public void Then(params Behaviour[] behaviours)
    {
        foreach (var b in behaviours) _script.Enqueue(b);
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived (matching <paramref name="where"/>), or fails.</summary>
    public async Task<List<Request>> WaitForAsync(int count, Func<Request, bool>? where = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var got = Requests.Where(where ?? (_ => true)).ToList();
            if (got.Count >= count) return got;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Expected {count} webhook requests, got {got.Count} (all: {Requests.Count}).");
            await Task.Delay(50);
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().WaitAsync(_stop.Token); }
            catch (Exception) { break; }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, context.Request.ContentEncoding);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!.ToLowerInvariant(), k => context.Request.Headers[k]!);
            _requests.Enqueue(new Request(DateTime.UtcNow, context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body));
            var behaviour = _script.TryDequeue(out var next) ? next : Default;
            if (behaviour.Delay > TimeSpan.Zero) await Task.Delay(behaviour.Delay, _stop.Token);
            context.Response.StatusCode = behaviour.Status;
            var bytes = System.Text.Encoding.UTF8.GetBytes(behaviour.Body);
            await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
            context.Response.Close();
        }
        catch (Exception)
        {
            try { context.Response.Abort(); } catch (Exception) { /* the client went away */ }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        try { await _loop; } catch (Exception) { }
        _stop.Dispose();
    }
}
