using System.Diagnostics;
using System.Net;
using System.Text;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// The built application (SendCraft.Web.dll) running as its own OS process on a free 127.0.0.1 port, the way it runs
/// in production, over a throwaway database. Unlike <see cref="SendCraftApp"/> (in-process TestServer) it has real
/// sockets, so a browser or Nginx can talk to it, and it can be killed like a crashing server and started again on
/// the same database.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    // Start-up (JIT, migrations) measured 11 s on a shared 2-core machine under heavy load; leave room beyond that.
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);
    private const int MaxOutputChars = 200_000;

    private readonly StringBuilder _output = new();
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly bool _ownsDatabase;
    private Process? _process;

    private AppProcess(TestDatabase database, bool ownsDatabase, IReadOnlyDictionary<string, string>? settings, int? port = null)
    {
        Database = database;
        _ownsDatabase = ownsDatabase;
        _settings = settings ?? new Dictionary<string, string>();
        Port = port ?? RepoPaths.FreeLoopbackPort();
    }

    public TestDatabase Database { get; }
    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Everything the process wrote to stdout and stderr so far (its log), for failure messages.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The last part of <see cref="Output"/>: enough for an assertion message.</summary>
    public string OutputTail(int chars = 6000)
    {
        var output = Output;
        return output.Length <= chars ? output : "…" + output[^chars..];
    }

    /// <summary>Starts the app on a new throwaway database that is dropped when this is disposed.</summary>
    /// <param name="settings">Extra configuration ("Section:Key" = value), passed as environment variables.</param>
    public static async Task<AppProcess> StartAsync(DatabaseKind kind, IReadOnlyDictionary<string, string>? settings = null) =>
        await StartedOrDisposedAsync(new AppProcess(await TestDatabase.CreateAsync(kind), ownsDatabase: true, settings));

    /// <summary>Another instance on a database that an earlier AppProcess owns (as two servers behind a load balancer).</summary>
    public static Task<AppProcess> StartOnAsync(TestDatabase database, IReadOnlyDictionary<string, string>? settings = null) =>
        StartedOrDisposedAsync(new AppProcess(database, ownsDatabase: false, settings));

    private static async Task<AppProcess> StartedOrDisposedAsync(AppProcess app)
    {
        try
        {
            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs the app on a new throwaway database for a start-up that is expected to fail, and returns its exit code once
    /// it exits by itself (<see cref="Output"/> then holds what it wrote; stderr lines start with "[stderr] ").
    /// </summary>
    /// <param name="port">The port to listen on (default: a free one), e.g. one a test keeps busy.</param>
    public static async Task<(int ExitCode, AppProcess Process)> RunUntilExitAsync(DatabaseKind kind, IReadOnlyDictionary<string, string> settings, int? port = null)
    {
        var app = new AppProcess(await TestDatabase.CreateAsync(kind), ownsDatabase: true, settings, port);
        try
        {
            var process = app.Launch();
            using var timeout = new CancellationTokenSource(StartTimeout);
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The app did not exit within {StartTimeout.TotalSeconds} s.\n{app.OutputTail()}");
            }
            process.WaitForExit(); // the redirected output is complete only after this
            return (process.ExitCode, app);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process (again, after <see cref="Kill"/>: same port, same database) and waits until /healthz answers 200.</summary>
    public async Task StartAsync()
    {
        if (IsRunning) throw new InvalidOperationException("The app is already running.");
        await WaitUntilHealthyAsync(Launch());
    }

    private Process Launch()
    {
        _process?.Dispose();
        Append($"--- starting on {BaseAddress} ---");

        var start = StartInfo("--urls", $"http://127.0.0.1:{Port}");
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Append(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Append("[stderr] " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        return process;
    }

    /// <summary>
    /// Runs the built app once more on this instance's database with <paramref name="args"/> (a command such as
    /// <c>reset-user</c> that exits by itself, alongside or instead of the running server); <paramref name="stdin"/> is
    /// written to its standard input. Returns its exit code, stdout and stderr.
    /// </summary>
    public async Task<(int ExitCode, string StdOut, string StdErr)> RunCommandAsync(string[] args, string? stdin = null)
    {
        var start = StartInfo(args);
        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', args)}' did not exit within {StartTimeout.TotalSeconds} s.\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private ProcessStartInfo StartInfo(params string[] args)
    {
        var dll = Path.Combine(RepoPaths.WebProject, "bin", RepoPaths.Configuration, "net10.0", "SendCraft.Web.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build SendCraft.Web ({RepoPaths.Configuration}) first: {dll} is missing.");

        var start = new ProcessStartInfo(DotnetHost())
        {
            // The project folder as content root: wwwroot (with the npm libraries the build copies there) is served from it.
            WorkingDirectory = RepoPaths.WebProject,
            ArgumentList = { dll, "--contentRoot", RepoPaths.WebProject },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_ENVIRONMENT" })
            start.Environment.Remove(inherited);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["Database__Provider"] = Database.ProviderSetting;
        start.Environment["ConnectionStrings__SendCraft"] = Database.ConnectionString;
        foreach (var (key, value) in _settings) start.Environment[key.Replace(":", "__")] = value;
        return start;
    }

    /// <summary>Ends the process and its children at once with SIGKILL, as a crash or power loss would: no shutdown code runs.</summary>
    public void Kill()
    {
        if (_process is not { } process) return;
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        if (!process.WaitForExit(ExitTimeout))
            throw new TimeoutException($"The app (pid {process.Id}) did not exit within {ExitTimeout.TotalSeconds} s of SIGKILL.");
        Append($"--- killed, exit code {process.ExitCode} ---");
    }

    /// <summary>Kills the running process (if any) and starts a new one on the same database and port.</summary>
    public async Task RestartAsync()
    {
        Kill();
        await StartAsync();
    }

    /// <summary>An HttpClient for this app: redirects are not followed (tests look at them), cookies are kept.</summary>
    public HttpClient CreateClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        try { Kill(); }
        finally
        {
            _process?.Dispose();
            if (_ownsDatabase) await Database.DisposeAsync();
        }
    }

    private async Task WaitUntilHealthyAsync(Process process)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var started = DateTime.UtcNow;
        var deadline = started + StartTimeout;
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The app exited with code {process.ExitCode} before /healthz answered.\n{OutputTail()}");
            try
            {
                using var response = await http.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Append($"--- healthy after {(DateTime.UtcNow - started).TotalSeconds:0.0} s ---");
                    return;
                }
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message; // not listening yet (migrations run before Kestrel starts)
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"/healthz on {BaseAddress} did not answer 200 within {StartTimeout.TotalSeconds} s (last: {last}).\n{OutputTail()}");
    }

    private void Append(string line)
    {
        lock (_output)
        {
            if (_output.Length > MaxOutputChars) _output.Remove(0, _output.Length - MaxOutputChars / 2);
            _output.AppendLine(line);
        }
    }

    /// <summary>The dotnet host that runs the tests, so the app runs on the same runtime.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
        : "dotnet";
}
