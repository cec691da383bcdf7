using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>
/// The per-row statements of <see cref="OutboxStore.RecordAsync"/>, on the DbContext's open connection and current
/// transaction, in plain SQL that both providers accept (enums are stored as their names, see SendingConfigurations).
/// Every update is conditional on the row still being leased by this instance. EF's ExecuteUpdate and SaveChanges
/// cost several hundred microseconds of CPU a row, more than the SMTP transmission (measured, docs/benchmarks.md).
/// </summary>
internal abstract class OutcomeWrites(SendCraftDbContext db, string instanceId) : IAsyncDisposable
{
    protected readonly DbConnection Connection = db.Database.GetDbConnection();
    protected readonly DbTransaction? Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
    protected readonly string InstanceId = instanceId;

    /// <summary>SQLite runs in-process: a prepared statement per row is cheapest. MySQL: round trips are, so rows are batched.</summary>
    public static async Task<OutcomeWrites> CreateAsync(SendCraftDbContext db, string instanceId, IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        if (!db.Database.IsMySql()) return new PreparedOutcomeWrites(db, instanceId);
        var batched = new BatchedOutcomeWrites(db, instanceId);
        await batched.LockStillLeasedAsync(ids, ct);
        return batched;
    }

    /// <summary>Records an attempt's outcome on the row; false when the row is no longer this instance's (its lease ran out and another took it).</summary>
    public abstract Task<bool> OutcomeAsync(long id, MessageStatus status, int attempts, DateTime dueAt, DateTime? sentAt,
        SmtpOutcome outcome, string? sentHeaders, CancellationToken ct);

    /// <summary>The daily limit was reached before the message was tried: back to the queue for tomorrow, no attempt counted.</summary>
    public abstract Task PostponeAsync(long id, DateTime until, string response, CancellationToken ct);

    public abstract Task AttemptAsync(OutboundMessage message, DeliveryResult result, AttemptOutcome attempt, SmtpOutcome outcome, CancellationToken ct);

    /// <summary>Writes whatever is still buffered; call before commit.</summary>
    public virtual Task FlushAsync(CancellationToken ct) => Task.CompletedTask;

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected const string OutcomeSql = """
        UPDATE OutboundMessages SET Status = {0}, Attempts = {1}, DueAt = {2}, SentAt = {3}, LeaseOwner = NULL,
            LastSmtpCode = {4}, LastSmtpResponse = {5}, SentHeaders = {6}
        WHERE Id = {7} AND LeaseOwner = {8} AND Status = 'Sending'
        """;

    protected const string PostponeSql = """
        UPDATE OutboundMessages SET Status = 'Deferred', DueAt = {0}, LeaseOwner = NULL, LastSmtpResponse = {1}
        WHERE Id = {2} AND LeaseOwner = {3} AND Status = 'Sending'
        """;

    protected const string AttemptColumns = "INSERT INTO MessageAttempts (WorkspaceId, MessageId, StartedAt, FinishedAt, Outcome, SmtpCode, Response) VALUES ";

    protected DbCommand NewCommand()
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        return command;
    }

    protected static void Add(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
    }
}

/// <summary>SQLite: three prepared commands, re-executed with new values for every row.</summary>
internal sealed class PreparedOutcomeWrites(SendCraftDbContext db, string instanceId) : OutcomeWrites(db, instanceId)
{
    private DbCommand? _outcome, _attempt, _postpone;

    public override async Task<bool> OutcomeAsync(long id, MessageStatus status, int attempts, DateTime dueAt, DateTime? sentAt,
        SmtpOutcome outcome, string? sentHeaders, CancellationToken ct)
    {
        _outcome ??= Prepare(OutcomeSql, 9);
        return await RunAsync(_outcome, ct, status.ToString(), attempts, dueAt, sentAt, outcome.Code, outcome.Response, sentHeaders, id, InstanceId) == 1;
    }

    public override Task PostponeAsync(long id, DateTime until, string response, CancellationToken ct)
    {
        _postpone ??= Prepare(PostponeSql, 4);
        return RunAsync(_postpone, ct, until, response, id, InstanceId);
    }

    public override Task AttemptAsync(OutboundMessage message, DeliveryResult result, AttemptOutcome attempt, SmtpOutcome outcome, CancellationToken ct)
    {
        _attempt ??= Prepare(AttemptColumns + "({0}, {1}, {2}, {3}, {4}, {5}, {6})", 7);
        return RunAsync(_attempt, ct, message.WorkspaceId, message.Id, result.StartedAt, result.FinishedAt, attempt.ToString(), outcome.Code, outcome.Response);
    }

    private DbCommand Prepare(string sql, int parameters)
    {
        var command = NewCommand();
        var names = Enumerable.Range(0, parameters).Select(i => "@p" + i).ToArray();
        command.CommandText = string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, names);
        foreach (var name in names) Add(command, name, null);
        command.Prepare();
        return command;
    }

    private static Task<int> RunAsync(DbCommand command, CancellationToken ct, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        return command.ExecuteNonQueryAsync(ct);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var command in new[] { _outcome, _attempt, _postpone })
            if (command is not null) await command.DisposeAsync();
    }
}

/// <summary>
/// MySQL: the batch's rows that are still this instance's are locked first (SELECT ... FOR UPDATE), so whether a
/// row's update will apply is known without running it; updates then go 100 statements to a round trip and attempts
/// as multi-row INSERTs (500 single-row round trips took about 380 ms a batch, longer than sending it).
/// </summary>
internal sealed class BatchedOutcomeWrites(SendCraftDbContext db, string instanceId) : OutcomeWrites(db, instanceId)
{
    private const int StatementsPerCommand = 100;
    private readonly HashSet<long> _stillLeased = [];
    private DbCommand? _updates, _attempts;
    private StringBuilder _updateSql = new(), _attemptSql = new();
    private int _updateCount, _attemptCount;

    public async Task LockStillLeasedAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        await using var command = NewCommand();
        var sql = new StringBuilder("SELECT Id FROM OutboundMessages WHERE LeaseOwner = @me AND Status = 'Sending' AND Id IN (");
        Add(command, "@me", InstanceId);
        var i = 0;
        foreach (var id in ids)
        {
            if (i > 0) sql.Append(',');
            sql.Append("@i").Append(i);
            Add(command, "@i" + i++, id);
        }
        command.CommandText = sql.Append(") FOR UPDATE").ToString();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) _stillLeased.Add(reader.GetInt64(0));
    }

    public override async Task<bool> OutcomeAsync(long id, MessageStatus status, int attempts, DateTime dueAt, DateTime? sentAt,
        SmtpOutcome outcome, string? sentHeaders, CancellationToken ct)
    {
        if (!_stillLeased.Contains(id)) return false;
        await AppendUpdateAsync(OutcomeSql, ct, status.ToString(), attempts, dueAt, sentAt, outcome.Code, outcome.Response, sentHeaders, id, InstanceId);
        return true;
    }

    public override Task PostponeAsync(long id, DateTime until, string response, CancellationToken ct) =>
        _stillLeased.Contains(id) ? AppendUpdateAsync(PostponeSql, ct, until, response, id, InstanceId) : Task.CompletedTask;

    public override async Task AttemptAsync(OutboundMessage message, DeliveryResult result, AttemptOutcome attempt, SmtpOutcome outcome, CancellationToken ct)
    {
        _attempts ??= NewCommand();
        _attemptSql.Append(_attemptCount == 0 ? AttemptColumns : ",").Append('(');
        AppendValues(_attempts, _attemptSql, "a" + _attemptCount, message.WorkspaceId, message.Id, result.StartedAt, result.FinishedAt, attempt.ToString(), outcome.Code, outcome.Response);
        _attemptSql.Append(')');
        if (++_attemptCount >= StatementsPerCommand * 5) await FlushAttemptsAsync(ct);
    }

    public override async Task FlushAsync(CancellationToken ct)
    {
        await FlushUpdatesAsync(ct);
        await FlushAttemptsAsync(ct);
    }

    private async Task AppendUpdateAsync(string sql, CancellationToken ct, params object?[] values)
    {
        _updates ??= NewCommand();
        var names = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            names[i] = $"@u{_updateCount}_{i}";
            Add(_updates, names[i], values[i]);
        }
        _updateSql.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, names)).Append(";\n");
        if (++_updateCount >= StatementsPerCommand) await FlushUpdatesAsync(ct);
    }

    private static void AppendValues(DbCommand command, StringBuilder sql, string prefix, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0) sql.Append(", ");
            var name = $"@{prefix}_{i}";
            sql.Append(name);
            Add(command, name, values[i]);
        }
    }

    private async Task FlushUpdatesAsync(CancellationToken ct)
    {
        if (_updates is null || _updateCount == 0) return;
        _updates.CommandText = _updateSql.ToString();
        await _updates.ExecuteNonQueryAsync(ct);
        await _updates.DisposeAsync();
        (_updates, _updateSql, _updateCount) = (null, new StringBuilder(), 0);
    }

    private async Task FlushAttemptsAsync(CancellationToken ct)
    {
        if (_attempts is null || _attemptCount == 0) return;
        _attempts.CommandText = _attemptSql.ToString();
        await _attempts.ExecuteNonQueryAsync(ct);
        await _attempts.DisposeAsync();
        (_attempts, _attemptSql, _attemptCount) = (null, new StringBuilder(), 0);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_updates is not null) await _updates.DisposeAsync();
        if (_attempts is not null) await _attempts.DisposeAsync();
    }
}
