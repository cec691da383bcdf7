using System.Diagnostics;
using System.Net;
using System.Text;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Web;

/// <summary>
/// README's command, <c>dotnet run --project SendCraft.Web</c>, honours ASPNETCORE_URLS and ASPNETCORE_ENVIRONMENT from
/// the shell (a launch profile used to override both) and runs in Development when no environment is set.
/// </summary>
public sealed class DotnetRunTests
{
    [Fact]
    public void LaunchSettings_DoNotSetTheUrlsOrTheEnvironment()
    {
        var file = Path.Combine(RepoPaths.WebProject, "Properties", "launchSettings.json");
        if (!File.Exists(file)) return;
        var text = File.ReadAllText(file);
        Assert.DoesNotContain("ASPNETCORE_URLS", text);
        Assert.DoesNotContain("ASPNETCORE_ENVIRONMENT", text);
        Assert.DoesNotContain("applicationUrl", text);
    }

    [Theory]
    [InlineData(null, "Development")]
    [InlineData("Testing", "Testing")]
    public async Task DotnetRun_WithAspNetCoreUrls_ListensThere_InTheEnvironmentTheShellSays(string? environment, string expected)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var port = RepoPaths.FreeLoopbackPort();
        var output = new StringBuilder();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root,
            // README's command; --no-build -c: the suite has built this configuration already.
            ArgumentList = { "run", "--project", "SendCraft.Web", "--no-build", "-c", RepoPaths.Configuration },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var inherited in new[] { "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS" })
            start.Environment.Remove(inherited);
        if (environment is not null) start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Database__Provider"] = database.ProviderSetting;
        start.Environment["ConnectionStrings__SendCraft"] = database.ConnectionString;

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + AppProcess.StartTimeout;
            HttpStatusCode? status = null;
            while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline && !process.HasExited)
            {
                try { status = (await http.GetAsync("healthz")).StatusCode; }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { await Task.Delay(250); }
            }
            string log;
            lock (output) log = output.ToString();
            Assert.True(status == HttpStatusCode.OK, $"/healthz on port {port} answered {status?.ToString() ?? "nothing"}.\n{log}");
            Assert.Contains($"Hosting environment: {expected}", log);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(15_000);
        }
    }
}
