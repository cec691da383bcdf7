using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>Where things are on disk and on the loopback interface, for tests that start real processes.</summary>
public static class RepoPaths
{
    /// <summary>The checkout: the first folder above the test binaries that holds SendCraft.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration this test assembly was built with (the app is built with the same one).</summary>
    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string WebProject => Path.Combine(Root, "SendCraft.Web");

    /// <summary>TestResults/&lt;parts&gt; at the repository root, created if missing (scripts/test keeps this folder).</summary>
    public static string Results(params string[] parts)
    {
        var dir = Path.Combine([Root, "TestResults", .. parts]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A TCP port nothing listens on right now (the OS picks it; the tiny race until our server binds is acceptable in tests).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SendCraft.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No SendCraft.sln above {AppContext.BaseDirectory}.");
    }
}
