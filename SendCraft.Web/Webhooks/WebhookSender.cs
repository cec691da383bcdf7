using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using SendCraft.Web.Sending;

namespace SendCraft.Web.Webhooks;

/// <summary>
/// POSTs one delivery, signed, with a timeout. The HTTP handler resolves the host itself and connects only to an address
/// the <see cref="AddressGuard"/> allows (checked at connect time, so DNS that changed since the URL was saved cannot
/// lead to a refused address); no proxy and no redirects (either could lead elsewhere than the checked address).
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private const int BodyExcerpt = 1000;
    private readonly HttpClient _http;
    private readonly SecretProtector _secrets;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _timeout;

    public WebhookSender(AddressGuard guard, SecretProtector secrets, IOptions<WebhookOptions> options, TimeProvider clock)
    {
        _secrets = secrets;
        _clock = clock;
        _timeout = options.Value.Timeout;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = _timeout,
            // Connections are re-made (and so re-checked) at least every minute.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = (context, ct) => ConnectAsync(guard, context.DnsEndPoint, _timeout, ct),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("SendCraft-Webhooks", "1.0"));
    }

    public async Task<DeliveryAttempt> SendAsync(DeliveryWork work, CancellationToken ct)
    {
        var d = work.Delivery;
        var endpoint = work.Endpoint!;
        var started = Stopwatch.GetTimestamp();
        int Elapsed() => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            var secret = _secrets.Unprotect(endpoint.SecretProtected);
            var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
            {
                Content = new StringContent(d.Payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", d.EventId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSignature.Sign(secret, d.EventId, timestamp, d.Payload));

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(_timeout);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            var body = await ReadExcerptAsync(response, limit.Token);
            var code = (int)response.StatusCode;
            var success = code is >= 200 and < 300;
            return new(d.Id, endpoint.Id, success, code, Elapsed(), body, success ? null : $"The endpoint answered HTTP {code}.", Now);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(d.Id, endpoint.Id, false, null, Elapsed(), null, $"No answer within {_timeout.TotalSeconds:0.#} s.", Now);
        }
        catch (HttpRequestException e) when (Find<WebhookAddressRefusedException>(e) is { } refused)
        {
            return new(d.Id, endpoint.Id, false, null, Elapsed(), null, "Not sent: " + refused.Message, Now);
        }
        catch (HttpRequestException e)
        {
            return new(d.Id, endpoint.Id, false, null, Elapsed(), null, "Connection failed: " + (e.InnerException?.Message ?? e.Message), Now);
        }
        catch (SecretUnreadableException e)
        {
            return new(d.Id, endpoint.Id, false, null, Elapsed(), null, "Not sent: " + e.Message, Now);
        }
    }

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private static async Task<string?> ReadExcerptAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[BodyExcerpt * 4];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0) read += n;
        if (read == 0) return null;
        var text = Encoding.UTF8.GetString(buffer, 0, read);
        return text.Length <= BodyExcerpt ? text : text[..BodyExcerpt];
    }

    private static async ValueTask<Stream> ConnectAsync(AddressGuard guard, DnsEndPoint target, TimeSpan timeout, CancellationToken ct)
    {
        var addresses = await AddressGuard.ResolveAsync(target.Host, timeout, ct);
        var allowed = addresses.Where(a => guard.Refusal(a) is null).ToList();
        if (allowed.Count == 0)
        {
            var first = addresses.FirstOrDefault();
            throw new WebhookAddressRefusedException(first is null
                ? $"{target.Host} could not be resolved."
                : $"{target.Host} resolves to {first}, {guard.Refusal(first)}: webhooks are only sent to public addresses.");
        }
        Exception? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, target.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException) if (e is T t) return t;
        return null;
    }

    public void Dispose() => _http.Dispose();
}
