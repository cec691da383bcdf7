using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace SendCraft.Web.Data;

/// <summary>
/// Parameterized multi-row <c>INSERT INTO t (columns) VALUES (...), (...)</c> on the DbContext's connection and current
/// transaction, in SQL that SQLite and MySQL both accept. For hot paths that insert many rows and need none of their ids:
/// SaveChanges tracks each entity and, on MySQL, reads each generated id back with its own statement, which costs more
/// than the insert (measured on the tracking writer, docs/benchmarks.md). Values go in as they are: enums that the model
/// stores as names must be passed as strings, DateTimes as UTC.
/// </summary>
internal static class MultiRowInsert
{
    /// <summary>Rows per statement: 500 rows of 10 columns stay well inside SQLite's 32,766 parameters.</summary>
    public const int DefaultRowsPerStatement = 500;

    public static async Task InsertAsync<T>(SendCraftDbContext db, string table, IReadOnlyList<string> columns, IReadOnlyList<T> rows,
        Func<T, object?[]> values, CancellationToken ct, int rowsPerStatement = DefaultRowsPerStatement)
    {
        if (rows.Count == 0) return;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var connection = db.Database.GetDbConnection();
            var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var head = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ";
            for (var start = 0; start < rows.Count; start += rowsPerStatement)
            {
                var count = Math.Min(rowsPerStatement, rows.Count - start);
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                var sql = new StringBuilder(head, head.Length + count * columns.Count * 8);
                for (var r = 0; r < count; r++)
                {
                    var row = values(rows[start + r]);
                    if (row.Length != columns.Count) throw new ArgumentException($"{row.Length} values for {columns.Count} columns of {table}.", nameof(values));
                    sql.Append(r == 0 ? "(" : ",(");
                    for (var c = 0; c < row.Length; c++)
                    {
                        var name = $"@p{r}_{c}";
                        if (c > 0) sql.Append(',');
                        sql.Append(name);
                        var p = command.CreateParameter();
                        p.ParameterName = name;
                        p.Value = row[c] ?? DBNull.Value;
                        command.Parameters.Add(p);
                    }
                    sql.Append(')');
                }
                command.CommandText = sql.ToString();
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
