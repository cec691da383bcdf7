using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace SendCraft.Web.Data;

public enum DatabaseProvider { Sqlite, MySql }

public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The MariaDB/MySQL version EF generates SQL for (e.g. "10.11.0-mariadb", "8.0.36-mysql"). Fixed, so start-up never probes the server.</summary>
    public string MySqlServerVersion { get; set; } = DatabaseSetup.DefaultMySqlServerVersion;
}

/// <summary>
/// Everything that differs between SQLite and MySQL lives here: provider choice, connection string
/// defaults, server version, and start-up pragmas.
/// </summary>
public static class DatabaseSetup
{
    /// <summary>The default of Database:MySqlServerVersion, also used by the design-time factory for migrations.</summary>
    public const string DefaultMySqlServerVersion = "10.11.0-mariadb";

    public static IServiceCollection AddSendCraftDatabase(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateOnStart();
        services.AddScoped<WorkspaceScope>();

        // Both contexts are registered; configuration decides which one stands behind SendCraftDbContext.
        // Reading the provider at resolve time (not registration time) lets tests override configuration late.
        services.AddDbContext<SqliteSendCraftDbContext>((sp, o) => o.UseSqlite(ConnectionString(sp)));
        services.AddDbContext<MySqlSendCraftDbContext>((sp, o) =>
            o.UseMySql(ConnectionString(sp), ServerVersion.Parse(
                sp.GetRequiredService<IConfiguration>().GetValue(DatabaseOptions.Section + ":MySqlServerVersion", DefaultMySqlServerVersion))));
        services.AddScoped<SendCraftDbContext>(sp => Provider(sp) == DatabaseProvider.MySql
            ? sp.GetRequiredService<MySqlSendCraftDbContext>()
            : sp.GetRequiredService<SqliteSendCraftDbContext>());
        return services;
    }

    public static DatabaseProvider Provider(IServiceProvider sp) =>
        sp.GetRequiredService<IConfiguration>().GetValue(DatabaseOptions.Section + ":Provider", DatabaseProvider.Sqlite);

    private static string ConnectionString(IServiceProvider sp)
    {
        var configured = sp.GetRequiredService<IConfiguration>().GetConnectionString("SendCraft");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        if (Provider(sp) == DatabaseProvider.MySql)
            throw new InvalidOperationException("Database:Provider is MySql but ConnectionStrings:SendCraft is not set: set it (for example ConnectionStrings__SendCraft=\"Server=127.0.0.1;Database=sendcraft;User ID=sendcraft;Password=...\" in /etc/sendcraft/sendcraft.env).");

        // The embedded default: a file under the content root, created on first start.
        var dir = Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, "App_Data");
        Directory.CreateDirectory(dir);
        return new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "sendcraft.db") }.ToString();
    }

    /// <summary>Applies pending migrations. Runs once at start-up, before the app accepts requests.</summary>
    public static async Task MigrateSendCraftDatabaseAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        await db.Database.MigrateAsync();
        if (db.Database.IsSqlite())
        {
            // WAL lets readers and the writer proceed together; the setting is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
    }
}

/// <summary>Used by `dotnet ef` for the SQLite migration set.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteSendCraftDbContext>
{
    public SqliteSendCraftDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSendCraftDbContext>().UseSqlite("Data Source=design.db").Options, new WorkspaceScope());
}

/// <summary>Used by `dotnet ef` for the MySQL migration set; needs no running server.</summary>
internal sealed class MySqlDesignTimeFactory : IDesignTimeDbContextFactory<MySqlSendCraftDbContext>
{
    public MySqlSendCraftDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MySqlSendCraftDbContext>()
            .UseMySql("Server=localhost;Database=design", ServerVersion.Parse(DatabaseSetup.DefaultMySqlServerVersion)).Options, new WorkspaceScope());
}
