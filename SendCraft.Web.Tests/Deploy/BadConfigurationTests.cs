using System.Net;
using System.Net.Sockets;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Deploy;

/// <summary>
/// Bad configuration stops the real process with one clear line on stderr naming the setting, exit code 78, and no
/// stack trace anywhere in its output.
/// </summary>
public sealed class BadConfigurationTests
{
    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "MySql", "", "Database:Provider is MySql but ConnectionStrings:SendCraft is not set", "missing connection string" },
        { "MySql", "Server=127.0.0.1;Flavour=vanilla", "ConnectionStrings:SendCraft is not a valid MySql connection string", "malformed connection string" },
        { "MySql", $"Server=127.0.0.1;Port={RepoPaths.FreeLoopbackPort()};Database=sendcraft;User ID=sendcraft;Password=x;Connect Timeout=5",
            "the MySQL database in ConnectionStrings:SendCraft cannot be reached", "unreachable MySQL" },
        { "Sqlite", $"Data Source={NotADirectory()}/sendcraft.db", "the SQLite database file cannot be created or opened", "data directory that cannot be written" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task DatabaseSetting_ThatCannotWork_StopsWithOneLine(string provider, string connectionString, string expected, string why)
    {
        var (exitCode, process) = await AppProcess.RunUntilExitAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
        {
            ["Database:Provider"] = provider, ["ConnectionStrings:SendCraft"] = connectionString,
        });
        await using var _ = process;
        AssertOneLine(process, exitCode, expected, why);
    }

    [Fact]
    public async Task PortAlreadyInUse_StopsWithOneLine()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var (exitCode, process) = await AppProcess.RunUntilExitAsync(DatabaseKind.Sqlite, new Dictionary<string, string>(), port);
        await using var _ = process;
        AssertOneLine(process, exitCode, $"http://127.0.0.1:{port} is already in use", "port in use");
        Assert.Contains("ASPNETCORE_URLS or --urls", process.Output);
    }

    [Fact]
    public async Task SubmissionRequiringTls_WithoutACertificate_StopsWithOneLine()
    {
        var (exitCode, process) = await AppProcess.RunUntilExitAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
        {
            ["Submission:Enabled"] = "true", ["Submission:Address"] = "127.0.0.1", ["Submission:Port"] = RepoPaths.FreeLoopbackPort().ToString(),
        });
        await using var _ = process;
        AssertOneLine(process, exitCode, "Submission:RequireTls needs a certificate for STARTTLS: set Submission:CertificatePath.", "submission without certificate");
    }

    [Fact]
    public async Task PublicBaseUrl_ThatIsNotAnHttpUrl_StopsWithOneLine()
    {
        var (exitCode, process) = await AppProcess.RunUntilExitAsync(DatabaseKind.Sqlite, new Dictionary<string, string>
        {
            ["PublicBaseUrl"] = "mail.example.com",
        });
        await using var _ = process;
        AssertOneLine(process, exitCode, "PublicBaseUrl must be an absolute http(s) URL without a query", "public address without a scheme");
    }

    private static void AssertOneLine(AppProcess process, int exitCode, string expected, string why)
    {
        Assert.True(exitCode == StartupSettingException.ExitCode, $"{why}: exit code {exitCode}.\n{process.OutputTail()}");
        var stderr = process.Output.Split('\n').Where(l => l.StartsWith("[stderr] ", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(stderr);
        Assert.StartsWith("[stderr] SendCraft cannot start: " + expected, line);
        Assert.DoesNotContain("   at ", process.Output); // no stack trace, on stdout either
    }

    /// <summary>A regular file where the database's directory should be: not even root can create a file below it.</summary>
    private static string NotADirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sendcraft-not-a-dir-{Guid.NewGuid():N}");
        File.WriteAllText(path, "a file, not a directory");
        return path;
    }
}
