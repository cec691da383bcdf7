using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Data;

/// <summary>Schema upgrades keep data, and no model change goes without a migration, on each provider.</summary>
public abstract class MigrationTests(DatabaseKind kind)
{
    private const string FirstMigration = "InitialCreate";

    [Fact]
    public async Task Model_HasNoChangesWithoutAMigration()
    {
        await using var database = await TestDatabase.CreateAsync(kind);
        await using var db = CreateContext(database);
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {kind} model has changes no migration covers: run `dotnet ef migrations add` for {db.GetType().Name}.");
    }

    [Fact]
    public async Task OlderDatabaseWithData_UpgradesToLatest_WithoutLoss()
    {
        await using var database = await TestDatabase.CreateAsync(kind);
        await using (var db = CreateContext(database))
        {
            var migrator = db.GetService<IMigrator>();
            var all = db.Database.GetMigrations().ToList();
            Assert.True(all.Count >= 2, "Expected at least two migrations to test an upgrade.");
            Assert.EndsWith(FirstMigration, all[0]);
            await migrator.MigrateAsync(all[0]);

            // Rows written with the first schema's columns only, as an older release would have written them.
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await ExecAsync(connection, "INSERT INTO Workspaces (Name, CreatedAt) VALUES ('Legacy', '2025-01-02 03:04:05')");
            await ExecAsync(connection, "INSERT INTO AspNetUsers (Id, DisplayName, CreatedAt, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, PhoneNumberConfirmed, TwoFactorEnabled, LockoutEnabled, AccessFailedCount) " +
                                        "VALUES ('u-1', 'Old Timer', '2025-01-02 03:04:05', 'old@example.test', 'OLD@EXAMPLE.TEST', 'old@example.test', 'OLD@EXAMPLE.TEST', 0, 0, 0, 1, 0)");
            await ExecAsync(connection, "INSERT INTO WorkspaceMembers (WorkspaceId, UserId, Role, JoinedAt) SELECT Id, 'u-1', 'Owner', '2025-01-02 03:04:05' FROM Workspaces");
        }

        await using (var db = CreateContext(database))
        {
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            var workspace = await db.Workspaces.SingleAsync();
            Assert.Equal("Legacy", workspace.Name);
            Assert.False(workspace.RequireTwoFactor); // the column added later takes its default
            var member = await db.WorkspaceMembers.IgnoreQueryFilters().Include(m => m.User).SingleAsync();
            Assert.Equal(WorkspaceRole.Owner, member.Role);
            Assert.Equal("Old Timer", member.User!.DisplayName);
            Assert.Empty(await db.Invitations.IgnoreQueryFilters().ToListAsync());
        }
    }

    private static SendCraftDbContext CreateContext(TestDatabase database) => DirectDb.Open(database);

    private static async Task ExecAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class MigrationTests_Sqlite() : MigrationTests(DatabaseKind.Sqlite);
public sealed class MigrationTests_MariaDb() : MigrationTests(DatabaseKind.MariaDb);
