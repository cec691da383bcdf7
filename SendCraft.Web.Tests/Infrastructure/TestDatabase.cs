using Microsoft.Data.Sqlite;
using MySqlConnector;

namespace SendCraft.Web.Tests.Infrastructure;

public enum DatabaseKind { Sqlite, MariaDb }

/// <summary>
/// A throwaway database for one test: a SQLite file in a temp folder, or a fresh database on the MariaDB server
/// that scripts/test starts (its server-level connection string is in SENDCRAFT_TEST_MYSQL).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string MySqlServerVariable = "SENDCRAFT_TEST_MYSQL";

    private readonly string? _sqlitePath;
    private readonly string? _mysqlName;

    private TestDatabase(DatabaseKind kind, string connectionString, string? sqlitePath, string? mysqlName)
    {
        Kind = kind;
        ConnectionString = connectionString;
        _sqlitePath = sqlitePath;
        _mysqlName = mysqlName;
    }

    public DatabaseKind Kind { get; }
    public string ConnectionString { get; }
    /// <summary>The value for Database:Provider.</summary>
    public string ProviderSetting => Kind == DatabaseKind.MariaDb ? "MySql" : "Sqlite";

    public static async Task<TestDatabase> CreateAsync(DatabaseKind kind)
    {
        if (kind == DatabaseKind.Sqlite)
        {
            // scripts/test gives each run its own folder, so two runs on one machine never delete each other's files.
            var dir = Environment.GetEnvironmentVariable("SENDCRAFT_TEST_SQLITE_DIR") is { Length: > 0 } own ? own : Path.Combine(Path.GetTempPath(), "sendcraft-tests");
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, $"{Guid.NewGuid():N}.db");
            return new TestDatabase(kind, new SqliteConnectionStringBuilder { DataSource = path }.ToString(), path, null);
        }

        var server = MySqlServer;
        var name = $"sc_test_{Guid.NewGuid():N}"[..24];
        await using (var connection = new MySqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new MySqlCommand($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new MySqlConnectionStringBuilder(server) { Database = name };
        return new TestDatabase(kind, builder.ConnectionString, null, name);
    }

    public static string MySqlServer => Environment.GetEnvironmentVariable(MySqlServerVariable) is { Length: > 0 } s
        ? s
        : throw new InvalidOperationException(
            $"{MySqlServerVariable} is not set. Run the suite with scripts/test, which starts a throwaway MariaDB and sets it.");

    /// <summary>Removes the database while the app may still be running, to test how it copes.</summary>
    public async Task DropAsync()
    {
        if (_sqlitePath is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { _sqlitePath, _sqlitePath + "-wal", _sqlitePath + "-shm" }) File.Delete(f);
            return;
        }
        await using var connection = new MySqlConnection(MySqlServer);
        await connection.OpenAsync();
        await using var drop = new MySqlCommand($"DROP DATABASE IF EXISTS `{_mysqlName}`", connection);
        await drop.ExecuteNonQueryAsync();
        MySqlConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        try { await DropAsync(); }
        catch (IOException) { /* a file still open on a slow shutdown; the temp folder is cleaned by scripts/test */ }
    }
}
