using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Infrastructure;

/// <summary>
/// Start-up failures an operator causes by configuration (no database, a wrong connection string, a data directory the
/// service user cannot write, a port already taken) stop the process with one line on stderr, naming the setting and
/// the fix, and exit code 78 (which sendcraft.service does not restart on). Under systemd the line is in the journal.
/// </summary>
public static class StartupFailures
{
    /// <summary>Opens the database once without EF (whose logging would print a stack trace), then applies migrations.</summary>
    public static async Task<int?> PrepareDatabaseOrExplainAsync(this WebApplication app)
    {
        try
        {
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
                await using var connection = db.Database.GetDbConnection();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await connection.OpenAsync(timeout.Token);
            }
            await app.Services.MigrateSendCraftDatabaseAsync();
            return null;
        }
        catch (Exception ex)
        {
            return Explain(DescribeDatabaseFailure(DatabaseSetup.Provider(app.Services), ex));
        }
    }

    /// <summary>
    /// Runs the app. An address already in use is one line: the addresses from ASPNETCORE_URLS / --urls are tried
    /// first (Kestrel itself would log its failure with a stack trace), and a bind failure that still happens is caught.
    /// </summary>
    public static async Task<int> RunOrExplainAsync(this WebApplication app)
    {
        if (AddressInUse(app.Configuration["urls"]) is { } taken) return Explain(InUse(taken));
        try
        {
            // The ValidateOnStart checks, run here so that a setting that cannot work (e.g. SMTP submission required to
            // use TLS without a certificate) is one line in its own words, not the host's stack trace.
            app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            return Explain(string.Join(" ", ex.Failures));
        }
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (IOException ex) when (ex is { InnerException: AddressInUseException })
        {
            return Explain(InUse(ex.Message.TrimEnd('.')));
        }

    }

    private static string InUse(string what) =>
        $"{what} is already in use. Another program listens there: choose another address with ASPNETCORE_URLS or --urls (e.g. --urls http://127.0.0.1:5001).";

    /// <summary>The first configured address that another socket listens on, or null. Only listening sockets count (SO_REUSEADDR, as Kestrel binds).</summary>
    internal static string? AddressInUse(string? urls)
    {
        foreach (var url in (string.IsNullOrWhiteSpace(urls) ? "http://localhost:5000" : urls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var withHost = url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0").Replace("://[::]", "://0.0.0.0");
            if (!Uri.TryCreate(withHost, UriKind.Absolute, out var uri)) continue;
            var address = uri.IsLoopback ? IPAddress.Loopback : IPAddress.TryParse(uri.Host, out var parsed) ? parsed : null;
            if (address is null || uri.Port == 0) continue;
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try { probe.Bind(new IPEndPoint(address, uri.Port)); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse) { return url; }
            catch (SocketException) { /* not ours to judge (an address of another machine, no permission): Kestrel will say */ }
        }
        return null;
    }

    private static int Explain(string line)
    {
        Console.Error.WriteLine("SendCraft cannot start: " + line.ReplaceLineEndings(" "));
        return StartupSettingException.ExitCode;
    }

    internal static string DescribeDatabaseFailure(DatabaseProvider provider, Exception ex) => (provider, ex) switch
    {
        (_, InvalidOperationException { Message: var m }) when m.Contains("ConnectionStrings:SendCraft") => m,
        (_, ArgumentException { Message: var m }) =>
            $"ConnectionStrings:SendCraft is not a valid {provider} connection string ({m}). See docs/deploy.md for its form.",
        (DatabaseProvider.Sqlite, UnauthorizedAccessException or IOException or DbException) =>
            $"the SQLite database file cannot be created or opened ({ex.Message}). ConnectionStrings:SendCraft names the file (default: App_Data/sendcraft.db under the content root); its directory must exist and be writable by the user SendCraft runs as.",
        (DatabaseProvider.MySql, DbException or OperationCanceledException) =>
            $"the MySQL database in ConnectionStrings:SendCraft cannot be reached ({ex.Message}). Check that MySQL/MariaDB runs and that the server, port, database, user and password are right.",
        _ => $"the database cannot be prepared ({ex.GetType().Name}: {ex.Message}). Check Database:Provider and ConnectionStrings:SendCraft.",
    };
}
