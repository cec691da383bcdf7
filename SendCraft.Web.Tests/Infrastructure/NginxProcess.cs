using System.Diagnostics;
using System.Net.Sockets;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// A real Nginx (Debian's /usr/sbin/nginx) on a free 127.0.0.1 port, running the committed site file
/// deploy/nginx/sendcraft.conf with test values substituted, in front of an app on <c>appPort</c>.
/// Everything it writes (pid, logs, temp files) stays in its own temp folder.
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/nginx";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;

    private NginxProcess(Process process, NginxConfig config)
    {
        _process = process;
        Config = config;
    }

    public NginxConfig Config { get; }
    public int Port => Config.ListenPort;
    public Uri BaseAddress => new($"{(Config.Tls ? "https" : "http")}://127.0.0.1:{Port}/");

    /// <param name="tls">A PEM certificate and key: Nginx then listens with TLS (as certbot would set it up).</param>
    public static async Task<NginxProcess> StartAsync(int appPort, (string CertificatePath, string KeyPath)? tls = null)
    {
        var config = NginxConfig.Write(RepoPaths.FreeLoopbackPort(), appPort, tls);
        var check = await RunAsync(config.TestArguments);
        if (check.ExitCode != 0) throw new InvalidOperationException($"nginx -t failed:\n{check.Output}");

        var process = new Process { StartInfo = StartInfo(config.RunArguments) };
        process.Start();
        var nginx = new NginxProcess(process, config);
        try
        {
            await nginx.WaitUntilListeningAsync();
            return nginx;
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs nginx with <paramref name="arguments"/> to completion (bounded) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments)
    {
        using var process = new Process { StartInfo = StartInfo(arguments, redirect: true) };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Binary} {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds} s.");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Nginx's own error log (startup problems, upstream errors).</summary>
    public string ErrorLog => File.Exists(Config.ErrorLog) ? File.ReadAllText(Config.ErrorLog) : "";

    /// <summary>Graceful stop (nginx -s quit), bounded; SIGKILL for the master and its workers if that does not finish.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await RunAsync(Config.SignalArguments("quit"));
                using var cts = new CancellationTokenSource(Timeout);
                try { await _process.WaitForExitAsync(cts.Token); }
                catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); _process.WaitForExit(Timeout); }
            }
        }
        finally
        {
            _process.Dispose();
            try { Directory.Delete(Config.Prefix, recursive: true); } catch (IOException) { /* a worker still closing a log */ }
        }
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"nginx exited with code {_process.ExitCode}:\n{ErrorLog}");
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"nginx did not listen on {Port} within {Timeout.TotalSeconds} s:\n{ErrorLog}");
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> arguments, bool redirect = false)
    {
        if (!File.Exists(Binary)) throw new FileNotFoundException($"{Binary} is missing: scripts/test installs Debian's nginx package.");
        var start = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardOutput = redirect, RedirectStandardError = redirect };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        return start;
    }
}

/// <summary>
/// deploy/nginx/sendcraft.conf rendered for a test, inside a minimal main nginx.conf whose pid, logs and temp
/// paths live in a private prefix folder. The substitutions are the ones the site file's header lists.
/// </summary>
public sealed record NginxConfig(string Prefix, string MainFile, string SiteFile, int ListenPort, bool Tls = false)
{
    public static string CommittedSite => Path.Combine(RepoPaths.Root, "deploy", "nginx", "sendcraft.conf");

    public string ErrorLog => Path.Combine(Prefix, "logs", "error.log");
    public string[] TestArguments => ["-t", "-c", MainFile, "-p", Prefix + "/", "-e", ErrorLog];
    public string[] RunArguments => ["-c", MainFile, "-p", Prefix + "/", "-e", ErrorLog];
    public string[] SignalArguments(string signal) => ["-s", signal, "-c", MainFile, "-p", Prefix + "/", "-e", ErrorLog];

    public static NginxConfig Write(int listenPort, int appPort, (string CertificatePath, string KeyPath)? tls = null)
    {
        var prefix = Directory.CreateTempSubdirectory("sendcraft-nginx-").FullName;
        var logs = Directory.CreateDirectory(Path.Combine(prefix, "logs")).FullName;
        var site = Path.Combine(prefix, "sendcraft.conf");
        var rendered = RenderSite(listenPort, appPort, Path.Combine(RepoPaths.WebProject, "wwwroot"), logs);
        if (tls is var (certificate, key))
        {
            // What `certbot --nginx` does to the listener: the same server block, with TLS.
            var listen = $"listen 127.0.0.1:{listenPort};";
            if (!rendered.Contains(listen)) throw new InvalidOperationException($"'{listen}' not found in the rendered site file.");
            rendered = rendered.Replace(listen, $"listen 127.0.0.1:{listenPort} ssl;\n    ssl_certificate {certificate};\n    ssl_certificate_key {key};");
        }
        File.WriteAllText(site, rendered);

        // Running as root (as scripts/test does), workers would drop to "nobody", which cannot read the checkout or this
        // private folder; keep them as root. As another user the directive does not apply and nginx would only warn.
        var user = Environment.UserName == "root" ? "user root;" : "";
        var main = Path.Combine(prefix, "nginx.conf");
        File.WriteAllText(main, $$"""
            {{user}}
            worker_processes 1;
            daemon off;
            master_process on;
            pid {{prefix}}/nginx.pid;
            error_log {{logs}}/error.log info;
            events { worker_connections 256; }
            http {
                include /etc/nginx/mime.types;
                default_type application/octet-stream;
                access_log {{logs}}/access.log;
                client_body_temp_path {{prefix}}/client_body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                include {{site}};
            }
            """);
        return new NginxConfig(prefix, main, site, listenPort, tls is not null);
    }

    /// <summary>The committed site file with test values. Comment lines are left alone; every value must be found, so a
    /// change to the committed file that the substitutions no longer match fails loudly instead of testing something else.</summary>
    public static string RenderSite(int listenPort, int appPort, string wwwroot, string logDir)
    {
        var lines = File.ReadAllLines(CommittedSite);
        Substitute(lines, "listen 80;", $"listen 127.0.0.1:{listenPort};");
        Substitute(lines, "listen [::]:80;", "");
        Substitute(lines, "server 127.0.0.1:5000;", $"server 127.0.0.1:{appPort};");
        Substitute(lines, "/opt/sendcraft/wwwroot", wwwroot);
        Substitute(lines, "/var/log/nginx/", logDir + "/");
        return string.Join('\n', lines) + "\n";
    }

    private static void Substitute(string[] lines, string find, string replacement)
    {
        var found = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith('#') || !lines[i].Contains(find)) continue;
            lines[i] = lines[i].Replace(find, replacement);
            found++;
        }
        if (found == 0) throw new InvalidOperationException($"'{find}' is not in {CommittedSite} any more; update NginxConfig.RenderSite and deploy/install.sh.");
    }
}
