using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// Postfix's smtp-sink on a free loopback port: a real, fast SMTP server that accepts everything. With a dump
/// file it appends every message it accepted (with an X-Rcpt-Args line per recipient), which tests count.
/// Started under `timeout`, so it stops by itself even if a test run is killed.
/// </summary>
public sealed partial class SmtpSink : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private SmtpSink(Process process, int port, string dir, bool dumping)
    {
        _process = process;
        Port = port;
        _dir = dir;
        DumpFile = dumping ? Path.Combine(dir, "dump.txt") : null;
    }

    public int Port { get; }
    public string? DumpFile { get; }

    public static async Task<SmtpSink> StartAsync(bool dump = true, int backlog = 256)
    {
        var port = RepoPaths.FreeLoopbackPort();
        var dir = Directory.CreateTempSubdirectory("smtp-sink-").FullName;
        // smtp-sink drops root privileges to 'nobody', who must be able to write the dump.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        var args = $"600 /usr/sbin/smtp-sink -u nobody {(dump ? $"-D {dir}/dump.txt " : "")}127.0.0.1:{port} {backlog}";
        var process = Process.Start(new ProcessStartInfo("timeout", args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var sink = new SmtpSink(process, port, dir, dump);
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return sink;
            }
            catch (SocketException) { await Task.Delay(50); }
        }
        await sink.DisposeAsync();
        throw new InvalidOperationException("smtp-sink did not start: " + await process.StandardError.ReadToEndAsync());
    }

    /// <summary>Every envelope recipient of every message accepted so far, with repeats.</summary>
    public IReadOnlyList<string> Recipients() =>
        DumpFile is null || !File.Exists(DumpFile) ? [] : RcptLine().Matches(ReadDump()).Select(m => m.Groups[1].Value.ToLowerInvariant()).ToList();

    /// <summary>The Message-ID header of every message accepted so far, with repeats.</summary>
    public IReadOnlyList<string> MessageIds() =>
        DumpFile is null || !File.Exists(DumpFile) ? [] : MessageIdLine().Matches(ReadDump()).Select(m => m.Groups[1].Value).ToList();

    /// <summary>Everything accepted so far, as smtp-sink wrote it.</summary>
    public string Dump() => DumpFile is null || !File.Exists(DumpFile) ? "" : ReadDump();

    private string ReadDump()
    {
        using var stream = new FileStream(DumpFile!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [GeneratedRegex(@"^X-Rcpt-Args: <([^>]*)>", RegexOptions.Multiline)]
    private static partial Regex RcptLine();

    [GeneratedRegex(@"^Message-Id: <([^>]*)>", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex MessageIdLine();
}
