using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>What a <see cref="FaultySmtpServer"/> does wrong. The default is a well-behaved server.</summary>
public sealed record FaultySmtpOptions
{
    /// <summary>Answer the greeting with 421 and close (a server that is busy or shutting down).</summary>
    public bool Greeting421 { get; init; }

    /// <summary>Accept the connection and never say anything (a black hole), until the client gives up or the server stops.</summary>
    public bool StallForever { get; init; }

    /// <summary>Wait this long before every reply, the greeting included (a slow server).</summary>
    public TimeSpan ReplyDelay { get; init; }

    /// <summary>When set, EHLO offers AUTH PLAIN LOGIN and MAIL needs a successful AUTH with these credentials.</summary>
    public string? Username { get; init; }
    public string? Password { get; init; }

    /// <summary>Answer every AUTH with 535, even with the right credentials.</summary>
    public bool RejectAuth { get; init; }

    /// <summary>Answer 451 to RCPT for every recipient.</summary>
    public bool DeferAllRecipients { get; init; }

    /// <summary>Answer 451 to RCPT for these recipients (case-insensitive).</summary>
    public IReadOnlyCollection<string> DeferRecipients { get; init; } = [];

    /// <summary>With a deferral configured: defer only the first N RCPT attempts per address (over the server's lifetime), so a retry succeeds. Null: always.</summary>
    public int? DeferFirstAttempts { get; init; }

    /// <summary>Answer 550 5.1.1 (no such user) to RCPT for these recipients.</summary>
    public IReadOnlyCollection<string> RejectRecipients { get; init; } = [];

    /// <summary>Receive the whole message, then answer 552 instead of 250; nothing is recorded.</summary>
    public bool RejectData552 { get; init; }

    /// <summary>Close the connection after the first line of message data, without answering.</summary>
    public bool DropDuringData { get; init; }

    /// <summary>Offer STARTTLS with a self-signed certificate made in-process (not trusted by any client by default).</summary>
    public bool StartTls { get; init; }

    /// <summary>The SIZE advertised in EHLO.</summary>
    public long MaxSize { get; init; } = 20 * 1024 * 1024;

    /// <summary>The server stops itself after this long even if a test forgets to dispose it.</summary>
    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>One message the server accepted (250 after DATA).</summary>
public sealed record ReceivedSmtpMessage(string From, IReadOnlyList<string> Recipients, byte[] Data)
{
    public string DataText => Encoding.UTF8.GetString(Data);
}

/// <summary>
/// An ESMTP server on 127.0.0.1 for tests (RFC 5321 with PIPELINING, 8BITMIME, SIZE, AUTH PLAIN/LOGIN and STARTTLS),
/// with faults chosen per instance through <see cref="FaultySmtpOptions"/>. Every command line is read from a buffered
/// stream and answered in order, so pipelined batches work. It stops when disposed or after MaxLifetime.
/// </summary>
public sealed class FaultySmtpServer : IAsyncDisposable
{
    private const int MaxLineBytes = 64 * 1024;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly ConcurrentQueue<ReceivedSmtpMessage> _messages = new();
    private readonly ConcurrentDictionary<string, int> _rcptAttempts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<string> _commands = new();
    private readonly SemaphoreSlim _messageArrived = new(0);
    private readonly Lazy<X509Certificate2> _certificate = new(CreateSelfSignedCertificate);
    private readonly Task _acceptLoop;
    private int _connectionCount, _openConnections, _maxOpenConnections;

    private FaultySmtpServer(FaultySmtpOptions options)
    {
        Options = options;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _stop.CancelAfter(options.MaxLifetime);
        _acceptLoop = AcceptLoopAsync();
    }

    public static FaultySmtpServer Start(FaultySmtpOptions? options = null) => new(options ?? new FaultySmtpOptions());

    public FaultySmtpOptions Options { get; }
    public string Host => "127.0.0.1";
    public int Port { get; }

    /// <summary>Messages accepted so far, in the order their DATA was answered 250.</summary>
    public IReadOnlyList<ReceivedSmtpMessage> Messages => _messages.ToArray();

    /// <summary>Every command line received (AUTH payloads excluded), for assertions about pipelining or RSET.</summary>
    public IReadOnlyList<string> Commands => _commands.ToArray();

    /// <summary>TCP connections accepted so far (to check that a pool reuses connections).</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>The most connections that were open at the same moment (to check a connection limit).</summary>
    public int MaxOpenConnections => Volatile.Read(ref _maxOpenConnections);

    /// <summary>How many RCPT TO commands named <paramref name="address"/>.</summary>
    public int RcptAttempts(string address) => _rcptAttempts.TryGetValue(address, out var n) ? n : 0;

    /// <summary>Waits until at least <paramref name="count"/> messages were accepted; throws TimeoutException after <paramref name="timeout"/>.</summary>
    public async Task WaitForMessagesAsync(int count, TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        cts.CancelAfter(timeout);
        while (_messages.Count < count)
        {
            try
            {
                await _messageArrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{_messages.Count} of {count} messages arrived within {timeout}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _acceptLoop; } catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
        // Connections close their sockets when the token fires; wait for them so no task outlives the test.
        await Task.WhenAll(_connections.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
        if (_certificate.IsValueCreated) _certificate.Value.Dispose();
    }

    /// <summary>A certificate for CN=localhost and 127.0.0.1, signed by itself, valid for a day.</summary>
    public static X509Certificate2 CreateSelfSignedCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // A PFX round trip gives SslStream a certificate whose private key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    private async Task AcceptLoopAsync()
    {
        using var stopping = _stop.Token.Register(() => _listener.Stop());
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _connectionCount);
            _connections.Add(Task.Run(() => ServeAsync(client)));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var open = Interlocked.Increment(ref _openConnections);
        for (var max = Volatile.Read(ref _maxOpenConnections); open > max; max = Volatile.Read(ref _maxOpenConnections))
            if (Interlocked.CompareExchange(ref _maxOpenConnections, open, max) == max) break;
        using var closed = new Closed(() => Interlocked.Decrement(ref _openConnections));
        client.NoDelay = true;
        // Closing the socket is what unblocks a pending read when the server stops.
        using var closeOnStop = _stop.Token.Register(() => client.Close());
        try
        {
            await new Session(this, client.GetStream()).RunAsync(_stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException
                                      or System.Security.Authentication.AuthenticationException)
        {
            // The client went away or the server is stopping: nothing to report.
        }
    }

    private sealed class Closed(Action onDispose) : IDisposable
    {
        public void Dispose() => onDispose();
    }

    /// <summary>One SMTP conversation.</summary>
    private sealed class Session(FaultySmtpServer server, Stream stream)
    {
        private readonly FaultySmtpOptions _o = server.Options;
        private LineReader _reader = new(stream);
        private Stream _stream = stream;
        private bool _tls;
        private bool _authenticated;
        private string? _from;
        private readonly List<string> _recipients = [];

        public async Task RunAsync(CancellationToken ct)
        {
            if (_o.StallForever)
            {
                await Task.Delay(Timeout.Infinite, ct);
                return;
            }
            if (_o.Greeting421)
            {
                await ReplyAsync("421 4.3.2 localhost Service not available, closing transmission channel", ct);
                return;
            }
            await ReplyAsync("220 localhost ESMTP FaultySmtpServer ready", ct);

            while (await _reader.ReadLineAsync(ct) is { } raw)
            {
                var line = Encoding.UTF8.GetString(raw);
                var space = line.IndexOf(' ');
                var verb = (space < 0 ? line : line[..space]).ToUpperInvariant();
                var argument = space < 0 ? "" : line[(space + 1)..];
                server._commands.Enqueue(verb == "AUTH" ? "AUTH " + argument.Split(' ')[0] : line);

                switch (verb)
                {
                    case "EHLO":
                        ResetEnvelope();
                        await ReplyAsync(EhloReply(), ct);
                        break;
                    case "HELO":
                        ResetEnvelope();
                        await ReplyAsync("250 localhost", ct);
                        break;
                    case "STARTTLS" when _o.StartTls && !_tls:
                        await ReplyAsync("220 2.0.0 Ready to start TLS", ct);
                        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
                        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = server._certificate.Value }, ct);
                        // RFC 3207: forget everything learned before TLS, including what the client said.
                        _stream = ssl;
                        _reader = new LineReader(ssl);
                        _tls = true;
                        _authenticated = false;
                        ResetEnvelope();
                        break;
                    case "AUTH" when _o.Username is not null:
                        await AuthenticateAsync(argument, ct);
                        break;
                    case "MAIL":
                        if (_o.Username is not null && !_authenticated) { await ReplyAsync("530 5.7.0 Authentication required", ct); break; }
                        ResetEnvelope();
                        _from = Address(argument);
                        await ReplyAsync("250 2.1.0 Ok", ct);
                        break;
                    case "RCPT":
                        await RecipientAsync(Address(argument), ct);
                        break;
                    case "DATA":
                        if (!await DataAsync(ct)) return;
                        break;
                    case "RSET":
                        ResetEnvelope();
                        await ReplyAsync("250 2.0.0 Ok", ct);
                        break;
                    case "NOOP":
                        await ReplyAsync("250 2.0.0 Ok", ct);
                        break;
                    case "QUIT":
                        await ReplyAsync("221 2.0.0 Bye", ct);
                        return;
                    default:
                        await ReplyAsync("502 5.5.2 Command not recognized", ct);
                        break;
                }
            }
        }

        private string EhloReply()
        {
            var lines = new List<string> { "localhost greets you", "PIPELINING", "8BITMIME", $"SIZE {_o.MaxSize}", "ENHANCEDSTATUSCODES", "SMTPUTF8" };
            if (_o.Username is not null) lines.Add("AUTH PLAIN LOGIN");
            if (_o.StartTls && !_tls) lines.Add("STARTTLS");
            return string.Join("\r\n", lines.Select((l, i) => (i == lines.Count - 1 ? "250 " : "250-") + l));
        }

        private async Task AuthenticateAsync(string argument, CancellationToken ct)
        {
            var parts = argument.Split(' ', 2);
            string? user, password;
            switch (parts[0].ToUpperInvariant())
            {
                case "PLAIN":
                    var initial = parts.Length > 1 ? parts[1] : await ChallengeAsync("", ct);
                    // authzid \0 authcid \0 password
                    var fields = Decode(initial)?.Split('\0');
                    (user, password) = fields is { Length: 3 } ? (fields[1], fields[2]) : (null, null);
                    break;
                case "LOGIN":
                    user = Decode(parts.Length > 1 ? parts[1] : await ChallengeAsync("VXNlcm5hbWU6", ct));
                    password = Decode(await ChallengeAsync("UGFzc3dvcmQ6", ct));
                    break;
                default:
                    await ReplyAsync("504 5.5.4 Unrecognized authentication type", ct);
                    return;
            }
            if (!_o.RejectAuth && user == _o.Username && password == _o.Password)
            {
                _authenticated = true;
                await ReplyAsync("235 2.7.0 Authentication successful", ct);
            }
            else
            {
                await ReplyAsync("535 5.7.8 Authentication credentials invalid", ct);
            }
        }

        private async Task<string> ChallengeAsync(string challenge, CancellationToken ct)
        {
            await ReplyAsync("334 " + challenge, ct);
            var answer = await _reader.ReadLineAsync(ct) ?? throw new IOException("The client closed the connection during AUTH.");
            return Encoding.ASCII.GetString(answer);
        }

        private static string? Decode(string base64)
        {
            try { return Encoding.UTF8.GetString(Convert.FromBase64String(base64.Trim())); }
            catch (FormatException) { return null; }
        }

        private async Task RecipientAsync(string address, CancellationToken ct)
        {
            if (_from is null) { await ReplyAsync("503 5.5.1 Need MAIL before RCPT", ct); return; }
            var attempt = server._rcptAttempts.AddOrUpdate(address, 1, (_, n) => n + 1);
            if (_o.RejectRecipients.Contains(address, StringComparer.OrdinalIgnoreCase))
            {
                await ReplyAsync($"550 5.1.1 <{address}>: Recipient address rejected: User unknown", ct);
                return;
            }
            var deferred = _o.DeferAllRecipients || _o.DeferRecipients.Contains(address, StringComparer.OrdinalIgnoreCase);
            if (deferred && (_o.DeferFirstAttempts is not { } first || attempt <= first))
            {
                await ReplyAsync($"451 4.3.0 <{address}>: Temporary failure, try again later", ct);
                return;
            }
            _recipients.Add(address);
            await ReplyAsync("250 2.1.5 Ok", ct);
        }

        /// <summary>Returns false when the connection was dropped on purpose.</summary>
        private async Task<bool> DataAsync(CancellationToken ct)
        {
            // RFC 2920: with pipelining the client sends DATA even if every RCPT failed; the server refuses it then.
            if (_from is null || _recipients.Count == 0)
            {
                await ReplyAsync("554 5.5.1 No valid recipients", ct);
                return true;
            }
            await ReplyAsync("354 End data with <CR><LF>.<CR><LF>", ct);
            using var data = new MemoryStream();
            while (true)
            {
                var line = await _reader.ReadLineAsync(ct) ?? throw new IOException("The client closed the connection during DATA.");
                if (line.Length == 1 && line[0] == (byte)'.') break;
                if (_o.DropDuringData) return false;
                // Dot-unstuffing (RFC 5321 4.5.2): a leading dot was doubled by the client.
                var offset = line.Length > 0 && line[0] == (byte)'.' ? 1 : 0;
                data.Write(line, offset, line.Length - offset);
                data.Write("\r\n"u8);
            }
            if (_o.RejectData552)
            {
                ResetEnvelope();
                await ReplyAsync("552 5.3.4 Message size exceeds fixed limit", ct);
                return true;
            }
            server._messages.Enqueue(new ReceivedSmtpMessage(_from, _recipients.ToArray(), data.ToArray()));
            server._messageArrived.Release();
            ResetEnvelope();
            await ReplyAsync($"250 2.0.0 Ok: queued as {server._messages.Count}", ct);
            return true;
        }

        private void ResetEnvelope()
        {
            _from = null;
            _recipients.Clear();
        }

        /// <summary>The address inside the angle brackets of "FROM:&lt;a@b&gt; SIZE=1" or "TO:&lt;a@b&gt;".</summary>
        private static string Address(string argument)
        {
            var start = argument.IndexOf('<');
            var end = argument.IndexOf('>', start + 1);
            return start >= 0 && end > start ? argument[(start + 1)..end] : argument.Split(':', 2).Last().Trim();
        }

        private async Task ReplyAsync(string reply, CancellationToken ct)
        {
            if (_o.ReplyDelay > TimeSpan.Zero) await Task.Delay(_o.ReplyDelay, ct);
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\r\n"), ct);
            await _stream.FlushAsync(ct);
        }
    }

    /// <summary>
    /// Reads CRLF-terminated lines from a stream through its own buffer, so several pipelined commands that arrive
    /// in one packet are answered one by one, and message data keeps its exact bytes.
    /// </summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start, _end;

        public async Task<byte[]?> ReadLineAsync(CancellationToken ct)
        {
            using var line = new MemoryStream();
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    line.Write(_buffer, _start, newline - _start);
                    _start = newline + 1;
                    var bytes = line.ToArray();
                    return bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes[..^1] : bytes;
                }
                line.Write(_buffer, _start, _end - _start);
                if (line.Length > MaxLineBytes) throw new IOException("Line too long.");
                _start = _end = 0;
                var read = await stream.ReadAsync(_buffer, ct);
                if (read == 0) return null;
                _end = read;
            }
        }
    }
}
