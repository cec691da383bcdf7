using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>
/// The per-row statements of <see cref="OutboxStore.RecordAsync"/> as prepared commands on the DbContext's open
/// connection and current transaction, created once per batch and re-executed with new parameter values. Plain SQL
/// that both providers accept; enums are stored as their names (see SendingConfigurations). Every update is
/// conditional on the row still being leased by this instance.
/// </summary>
internal sealed class OutcomeWrites : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DbTransaction? _transaction;
    private readonly string _instanceId;
    private DbCommand? _outcome, _attempt, _postpone;

    public OutcomeWrites(SendCraftDbContext db, string instanceId)
    {
        _connection = db.Database.GetDbConnection();
        _transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        _instanceId = instanceId;
    }

    public async Task<bool> OutcomeAsync(long id, MessageStatus status, int attempts, DateTime dueAt, DateTime? sentAt,
        SmtpOutcome outcome, string? sentHeaders, CancellationToken ct)
    {
        _outcome ??= Prepare("""
            UPDATE OutboundMessages SET Status = @status, Attempts = @attempts, DueAt = @due, SentAt = @sent, LeaseOwner = NULL,
                LastSmtpCode = @code, LastSmtpResponse = @response, SentHeaders = @headers
            WHERE Id = @id AND LeaseOwner = @me AND Status = 'Sending'
            """, "@status", "@attempts", "@due", "@sent", "@code", "@response", "@headers", "@id", "@me");
        return await RunAsync(_outcome, ct, status.ToString(), attempts, dueAt, sentAt, outcome.Code, outcome.Response, sentHeaders, id, _instanceId) == 1;
    }

    /// <summary>The daily limit was reached before the message was tried: back to the queue for tomorrow, no attempt counted.</summary>
    public Task<int> PostponeAsync(long id, DateTime until, string response, CancellationToken ct)
    {
        _postpone ??= Prepare("""
            UPDATE OutboundMessages SET Status = 'Deferred', DueAt = @due, LeaseOwner = NULL, LastSmtpResponse = @response
            WHERE Id = @id AND LeaseOwner = @me AND Status = 'Sending'
            """, "@due", "@response", "@id", "@me");
        return RunAsync(_postpone, ct, until, response, id, _instanceId);
    }

    public Task<int> AttemptAsync(OutboundMessage message, DeliveryResult result, AttemptOutcome attempt, SmtpOutcome outcome, CancellationToken ct)
    {
        _attempt ??= Prepare("""
            INSERT INTO MessageAttempts (WorkspaceId, MessageId, StartedAt, FinishedAt, Outcome, SmtpCode, Response)
            VALUES (@w, @m, @started, @finished, @outcome, @code, @response)
            """, "@w", "@m", "@started", "@finished", "@outcome", "@code", "@response");
        return RunAsync(_attempt, ct, message.WorkspaceId, message.Id, result.StartedAt, result.FinishedAt, attempt.ToString(), outcome.Code, outcome.Response);
    }

    private DbCommand Prepare(string sql, params string[] names)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var name in names)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = DBNull.Value;
            command.Parameters.Add(p);
        }
        command.Prepare();
        return command;
    }

    private static async Task<int> RunAsync(DbCommand command, CancellationToken ct, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return await command.ExecuteNonQueryAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in new[] { _outcome, _attempt, _postpone })
            if (command is not null) await command.DisposeAsync();
    }
}
