using System.Data;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using SendCraft.Web.Data;

namespace SendCraft.Web.Campaigns;

/// <summary>One chunk of expansion: the outbox rows to insert and how the campaign's counters and cursor move.</summary>
public sealed record ExpansionChunk(
    long CampaignId, long WorkspaceId, long AccountId, long ContentId, long OldCursor, long NewCursor,
    IReadOnlyList<ExpandedRecipient> Recipients, long SkippedSuppressed, long SkippedUnsubscribed, long SkippedInvalid,
    long MissingVariables, DateTime? NextDueAt);

public readonly record struct ExpandedRecipient(long ContactId, string Email, string MessageId, DateTime DueAt);

/// <summary>
/// The expansion's writes. A chunk commits its outbox rows together with the campaign's cursor and counters; the
/// campaign row is updated first and only while the campaign is Sending at the expected cursor, so:
/// a pause or cancel committed before the chunk stops it (nothing inserted), one that comes after waits for the chunk's
/// row lock and then holds or cancels the new rows too, and two expansions of one campaign cannot both move the cursor.
/// The (CampaignId, ContactId) unique key, with INSERT IGNORE / OR IGNORE, is the last guard against a second message.
/// Raw SQL for the insert (EF would add and track one entity per row), so the workspace is named explicitly.
/// </summary>
public sealed class CampaignExpansionStore(SendCraftDbContext db, TimeProvider clock)
{
    /// <summary>False when the campaign was not Sending at that cursor (paused, cancelled, or moved on by another run).</summary>
    public async Task<bool> WriteAsync(ExpansionChunk chunk, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var moved = await db.Campaigns.IgnoreQueryFilters()
                .Where(c => c.Id == chunk.CampaignId && c.Status == CampaignStatus.Sending && c.ExpansionCursor == chunk.OldCursor)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.ExpansionCursor, chunk.NewCursor)
                    .SetProperty(c => c.Expanded, c => c.Expanded + chunk.Recipients.Count)
                    .SetProperty(c => c.SkippedSuppressed, c => c.SkippedSuppressed + chunk.SkippedSuppressed)
                    .SetProperty(c => c.SkippedUnsubscribed, c => c.SkippedUnsubscribed + chunk.SkippedUnsubscribed)
                    .SetProperty(c => c.SkippedInvalid, c => c.SkippedInvalid + chunk.SkippedInvalid)
                    .SetProperty(c => c.MissingVariables, c => c.MissingVariables + chunk.MissingVariables)
                    .SetProperty(c => c.NextDueAt, chunk.NextDueAt)
                    .SetProperty(c => c.UpdatedAt, now), ct);
            if (moved == 0) return false;
            const int perStatement = 500; // 12 parameters a row: well inside SQLite's and MySQL's limits
            for (var i = 0; i < chunk.Recipients.Count; i += perStatement)
                await InsertAsync(chunk, chunk.Recipients.Skip(i).Take(perStatement).ToList(), now, ct);
            await tx.CommitAsync(ct);
            return true;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The end of the audience: the campaign is expanded (no-op unless still at that cursor).</summary>
    public Task<int> FinishAsync(long campaignId, long cursor, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.Campaigns.IgnoreQueryFilters()
            .Where(c => c.Id == campaignId && c.ExpansionCursor == cursor && c.ExpandedAt == null
                        && (c.Status == CampaignStatus.Sending || c.Status == CampaignStatus.Paused))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ExpandedAt, now).SetProperty(c => c.UpdatedAt, now), ct);
    }

    private async Task InsertAsync(ExpansionChunk chunk, IReadOnlyList<ExpandedRecipient> rows, DateTime now, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var sql = new StringBuilder(db.Database.IsMySql() ? "INSERT IGNORE INTO" : "INSERT OR IGNORE INTO");
        sql.Append(" OutboundMessages (WorkspaceId, SmtpAccountId, ContentId, CampaignId, ContactId, Recipient, MessageId, Status, DueAt, Attempts, CreatedAt, IsTest) VALUES ");
        Add(command, "@w", chunk.WorkspaceId);
        Add(command, "@a", chunk.AccountId);
        Add(command, "@c", chunk.ContentId);
        Add(command, "@k", chunk.CampaignId);
        Add(command, "@s", nameof(MessageStatus.Queued));
        Add(command, "@n", now);
        for (var i = 0; i < rows.Count; i++)
        {
            if (i > 0) sql.Append(',');
            sql.Append($"(@w,@a,@c,@k,@p{i},@e{i},@m{i},@s,@d{i},0,@n,0)");
            Add(command, $"@p{i}", rows[i].ContactId);
            Add(command, $"@e{i}", rows[i].Email);
            Add(command, $"@m{i}", rows[i].MessageId);
            Add(command, $"@d{i}", rows[i].DueAt);
        }
        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
