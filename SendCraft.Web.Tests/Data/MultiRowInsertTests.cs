using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Data;

/// <summary>
/// The plain-SQL multi-row insert writes exactly what EF reads back (enum names, UTC times, booleans, nulls, quotes),
/// across several statements, and only inside the caller's transaction.
/// </summary>
public abstract class MultiRowInsertTests(DatabaseKind kind)
{
    private static readonly string[] Columns = ["WorkspaceId", "MessageId", "CampaignId", "Type", "OccurredAt", "IsMachine", "IsUnique", "LinkIndex", "UserAgent"];

    [Fact]
    public async Task Rows_SpreadOverSeveralStatements_ReadBackByEf_AsWritten()
    {
        await using var database = await TestDatabase.CreateAsync(kind);
        await using var db = DirectDb.Open(database);
        await db.Database.MigrateAsync();
        var workspace = new Workspace { Name = "Inserts" };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();

        var at = new DateTime(2026, 3, 4, 5, 6, 7, 123, DateTimeKind.Utc);
        // 1,203 rows at 500 a statement: two full statements and a short one.
        var rows = Enumerable.Range(1, 1203).Select(i => new MessageEvent
        {
            WorkspaceId = workspace.Id, MessageId = i, CampaignId = i % 3 == 0 ? null : 40 + i % 2,
            Type = i % 2 == 0 ? MessageEventType.Click : MessageEventType.Open, OccurredAt = at.AddSeconds(i),
            IsMachine = i % 5 == 0, IsUnique = i % 7 != 0, LinkIndex = i % 2 == 0 ? i % 4 : null,
            UserAgent = i % 10 == 0 ? null : $"Agent \"{i}\" it's; DROP TABLE x; — é",
        }).ToList();

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await MultiRowInsert.InsertAsync(db, "MessageEvents", Columns, rows,
                e => [e.WorkspaceId, e.MessageId, e.CampaignId, e.Type.ToString(), e.OccurredAt, e.IsMachine, e.IsUnique, e.LinkIndex, e.UserAgent],
                CancellationToken.None);
            await tx.CommitAsync();
        }

        var stored = await db.MessageEvents.IgnoreQueryFilters().AsNoTracking().OrderBy(e => e.MessageId).ToListAsync();
        Assert.Equal(rows.Count, stored.Count);
        foreach (var (expected, actual) in rows.Zip(stored))
        {
            Assert.Equal(expected.MessageId, actual.MessageId);
            Assert.Equal(expected.CampaignId, actual.CampaignId);
            Assert.Equal(expected.Type, actual.Type);
            Assert.Equal(expected.OccurredAt, DateTime.SpecifyKind(actual.OccurredAt, DateTimeKind.Utc));
            Assert.Equal(expected.IsMachine, actual.IsMachine);
            Assert.Equal(expected.IsUnique, actual.IsUnique);
            Assert.Equal(expected.LinkIndex, actual.LinkIndex);
            Assert.Equal(expected.UserAgent, actual.UserAgent);
        }
    }

    [Fact]
    public async Task RolledBackTransaction_LeavesNoRow_AndAWrongValueCount_IsRefused()
    {
        await using var database = await TestDatabase.CreateAsync(kind);
        await using var db = DirectDb.Open(database);
        await db.Database.MigrateAsync();
        var workspace = new Workspace { Name = "Rollback" };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        var rows = new[] { 1L, 2L };

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await MultiRowInsert.InsertAsync(db, "MessageEvents", Columns, rows,
                id => [workspace.Id, id, null, "Open", DateTime.UtcNow, false, true, null, null], CancellationToken.None);
            await tx.RollbackAsync();
        }
        Assert.Equal(0, await db.MessageEvents.IgnoreQueryFilters().CountAsync());

        await Assert.ThrowsAsync<ArgumentException>(() => MultiRowInsert.InsertAsync(db, "MessageEvents", Columns, rows,
            id => [workspace.Id, id], CancellationToken.None));
    }
}

public sealed class MultiRowInsertTests_Sqlite() : MultiRowInsertTests(DatabaseKind.Sqlite);
public sealed class MultiRowInsertTests_MariaDb() : MultiRowInsertTests(DatabaseKind.MariaDb);
