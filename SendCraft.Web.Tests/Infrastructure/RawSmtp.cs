using System.Net.Sockets;
using System.Text;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// A plain-text SMTP conversation with one of our listeners on 127.0.0.1 (submission, inbound), to see the exact reply
/// codes that clients hide behind exceptions. Latin-1, so any byte a test sends arrives as it is.
/// </summary>
internal sealed class RawSmtp : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly StreamReader _reader;
    private readonly Stream _stream;

    private RawSmtp(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new StreamReader(_stream, Encoding.Latin1);
    }

    /// <summary>Waits until a listener accepts connections on the port (at most 10 s), e.g. after the app started it.</summary>
    public static async Task WaitForListenerAsync(int port, string which)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) { await Task.Delay(100); }
        }
        throw new TimeoutException($"The {which} listener did not start.");
    }

    public static async Task<RawSmtp> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        return new RawSmtp(client);
    }

    /// <summary>The next full reply (all lines of a multi-line reply); at most 20 s.</summary>
    public async Task<string> ReadAsync()
    {
        var lines = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new IOException("Connection closed; so far: " + lines);
            lines.AppendLine(line);
            if (line.Length < 4 || line[3] != '-') return lines.ToString();
        }
    }

    public async Task<string> SendAsync(string command)
    {
        await _stream.WriteAsync(Encoding.Latin1.GetBytes(command + "\r\n"));
        return await ReadAsync();
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
