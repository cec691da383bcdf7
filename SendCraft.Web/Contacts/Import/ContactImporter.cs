using System.Text;
using System.Text.Unicode;
using System.Threading.Channels;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;
using SendCraft.Web.Data.Configurations;
using SendCraft.Web.Infrastructure;

namespace SendCraft.Web.Contacts.Import;

/// <summary>
/// Runs one import, or the rest of one: streams the file with CsvHelper (never more than a few batches of rows in
/// memory), validates and normalizes each row, and writes each batch of contacts, list memberships, the import's
/// counters and its checkpoint in one transaction. A crash therefore leaves the counters in step with what was written,
/// and the checkpoint says where to go on.
/// Repeats of an email inside the file: the first row wins; later ones are not imported and are listed in the report
/// as duplicates, with their lines. A row with fewer fields than the header (but its email) is imported with the
/// missing fields blank and listed in the report as a warning.
/// Line numbers in the error report are the physical line where the record starts (a quoted field may span
/// several lines; the header is line 1).
/// Resuming: the checkpoint is the byte offset and line of the first record after the last committed batch (a record
/// boundary), with the counters and the report's length there. A resumed run reads the file from the start again,
/// header included, but the records before the checkpoint are only validated to rebuild the set of emails seen, not
/// counted, reported or written: so a row after the checkpoint that repeats an email from before it is a duplicate, as
/// in an uninterrupted run, and the counters and the report end exactly as one run would leave them. Validating is
/// cheap next to writing (the reader parses a million rows in a few seconds). At the checkpoint the reader must stand
/// on a record at exactly the stored offset and line, or the file changed and the import fails. The report is cut back
/// to its length at the checkpoint (rows written to it after the last commit are written again) and appended to.
/// </summary>
public sealed class ContactImporter(SendCraftDbContext db, IOptions<ImportOptions> options, TimeProvider clock, ILogger<ContactImporter> log)
{
    private readonly ImportOptions _options = options.Value;

    internal static CsvReaderOptions ReaderOptions(char separator) => new()
    {
        Separator = separator,
        HasHeader = true,
        TrackLineNumbers = true,
        AllowLineBreaksInQuotes = true,
        SkipEmptyLines = true,
        MalformedData = CsvMalformedDataHandling.Skip,
    };

    /// <summary>
    /// Imports the file from <paramref name="import"/>'s checkpoint (its start for a new import) to its end, leaving it
    /// Completed. The row in the database must be Running at that checkpoint: if another run moved it meanwhile,
    /// <see cref="ImportTakenOverException"/> ends this one without writing.
    /// </summary>
    public async Task RunAsync(ContactImport import, CancellationToken ct)
    {
        var mapping = ImportMapping.FromJson(import.MappingJson);
        var writer = BulkContactWriter.For(db);

        // Reading and writing overlap: one task parses and validates the file into batches while this one writes the
        // previous batch (on 2 cores the import takes about as long as the slower of the two instead of their sum).
        // At most two batches wait between them, so memory stays flat whatever the file's size.
        var batches = Channel.CreateBounded<ParsedBatch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var batchSize = _options.BatchSize;
        var reading = Task.Run(() => ReadFileAsync(import, mapping, batchSize, batches.Writer, stopReading.Token), CancellationToken.None);

        // One connection for the whole run: the writer's per-connection settings hold, and no batch waits for the pool.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await writer.PrepareConnectionAsync(ct);
            await foreach (var batch in batches.Reader.ReadAllAsync(ct))
            {
                var checkpointBefore = import.BytesRead;
                import.RowsRead = batch.RowsRead;
                import.Invalid = batch.Invalid;
                import.Merged = batch.Duplicates;
                import.BytesRead = batch.BytesRead;
                import.CheckpointLine = batch.Line;
                import.ErrorFilePath = batch.ErrorFilePath ?? import.ErrorFilePath;
                import.ErrorFileLength = batch.ErrorFileLength;
                if (batch.Last)
                {
                    import.Status = ImportStatus.Completed;
                    import.FinishedAt = clock.GetUtcNow().UtcDateTime;
                }
                await WriteBatchAsync(writer, import, batch.Rows, checkpointBefore, ct);
            }
            await reading; // the error report is closed
        }
        catch (Exception writeFailure)
        {
            await stopReading.CancelAsync();
            // A read failure (the file went away, say) ends the loop above as a closed channel: report the read failure itself.
            try { await reading; }
            catch (Exception readFailure) when (readFailure is not OperationCanceledException && writeFailure is ChannelClosedException)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readFailure);
            }
            catch (Exception) { /* cancelled because the write failed: the write failure is the one to report */ }
            throw;
        }
        finally
        {
            try { await writer.RestoreConnectionAsync(); }
            catch (Exception ex) { log.LogWarning(ex, "Could not restore the import connection's settings"); }
            await db.Database.CloseConnectionAsync();
        }
        log.LogInformation("Import {ImportId}: {Rows} rows, {Imported} imported, {Updated} updated, {Skipped} skipped, {Duplicates} duplicates, {Invalid} invalid",
            import.Id, import.RowsRead, import.Imported, import.Updated, import.Skipped, import.Merged, import.Invalid);
    }

    /// <summary>
    /// A batch of valid rows with the checkpoint after it: the offset and line of the next record (the file's size at
    /// the end), the file's counters and the report's length there.
    /// </summary>
    private sealed record ParsedBatch(List<ImportRow> Rows, long RowsRead, long Invalid, long Duplicates, long BytesRead, long Line,
        string? ErrorFilePath, long ErrorFileLength, bool Last);

    /// <summary>
    /// The reading side: streams the file with CsvHelper, validates each row, writes the invalid ones to the error
    /// report (flushed before their batch is handed over, so the report is never behind the saved counters). A batch is
    /// handed over when the reader stands on the record after it, so its checkpoint is that record's offset and line.
    /// From a checkpoint, the records before it only rebuild the emails seen (see the class comment).
    /// </summary>
    private static async Task ReadFileAsync(ContactImport import, ImportMapping mapping, int batchSize, ChannelWriter<ParsedBatch> output, CancellationToken ct)
    {
        long rowsRead = import.RowsRead, invalid = import.Invalid, duplicates = import.Merged;
        var checkpoint = import.BytesRead;
        var checkpointLine = import.CheckpointLine;
        var replaying = checkpoint > 0;
        var seen = new EmailsSeen();
        ErrorReport? errors = null;
        ErrorReport Errors() => errors ??= import.ErrorFilePath is { } path ? ErrorReport.Append(path, import.ErrorFileLength) : ErrorReport.Create(import);
        try
        {
            // A resumed run cuts the report back to the checkpoint at once, even if it adds nothing to it.
            if (replaying && import.ErrorFilePath is not null) Errors();
            // Malformed quoting: CsvHelper skips the record and reports it here, during Read(). Those before the
            // checkpoint were counted and reported by an earlier run (lines only grow, so the line says which side).
            var readerOptions = ReaderOptions(import.Separator) with
            {
                OnMalformedRecord = bad =>
                {
                    if (bad.LineNumber < checkpointLine) return;
                    rowsRead++;
                    invalid++;
                    Errors().Add(bad.LineNumber, Describe(bad.Reason), bad.RawRecord);
                },
            };
            using var reader = CsvReader.FromFile(import.FilePath, readerOptions);
            var batch = new List<ImportRow>(batchSize);
            while (reader.Read())
            {
                ct.ThrowIfCancellationRequested();
                if (replaying)
                {
                    if (reader.ByteOffset < checkpoint)
                    {
                        if (ReadRow(reader, mapping, out _) is { } before) seen.Add(before.Email);
                        continue;
                    }
                    if (reader.ByteOffset != checkpoint || reader.LineNumber != checkpointLine)
                        throw new ImportCheckpointException(checkpoint, checkpointLine, reader.ByteOffset, reader.LineNumber);
                    replaying = false;
                }
                if (batch.Count >= batchSize)
                {
                    var length = errors?.Flush() ?? import.ErrorFileLength;
                    await output.WriteAsync(new ParsedBatch(batch, rowsRead, invalid, duplicates, reader.ByteOffset, reader.LineNumber, errors?.Path, length, Last: false), ct);
                    batch = new List<ImportRow>(batchSize);
                }
                rowsRead++;
                var row = ReadRow(reader, mapping, out var reason);
                if (row is null)
                {
                    invalid++;
                    Errors().Add(reader.LineNumber, reason!, Encoding.UTF8.GetString(reader.RawRecord));
                    continue;
                }
                if (!seen.Add(row.Email))
                {
                    duplicates++;
                    Errors().Add(reader.LineNumber, $"{DuplicatePrefix} an earlier row has the email {row.Email} (the first row with an email wins); not imported.",
                        Encoding.UTF8.GetString(reader.RawRecord));
                    continue;
                }
                if (reason is not null) Errors().Add(reader.LineNumber, reason, Encoding.UTF8.GetString(reader.RawRecord)); // a warning
                batch.Add(row);
            }
            if (replaying) throw new ImportCheckpointException(checkpoint, checkpointLine, -1, -1);
            var finalLength = errors?.Flush() ?? import.ErrorFileLength;
            await output.WriteAsync(new ParsedBatch(batch, rowsRead, invalid, duplicates, import.FileSize, 0, errors?.Path, finalLength, Last: true), ct);
            output.Complete();
        }
        catch (Exception ex)
        {
            output.Complete(new ChannelClosedException(ex));
            throw;
        }
        finally
        {
            errors?.Dispose();
        }
    }

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "A quote inside an unquoted field.",
        CsvMalformedReason.TextAfterClosingQuote => "Text after the closing quote of a field.",
        CsvMalformedReason.UnterminatedQuote => "A quoted field that is never closed (the rest of the file is in it).",
        CsvMalformedReason.FieldCountMismatch => "Wrong number of columns.",
        _ => "Malformed CSV record.",
    };

    /// <summary>How the report's reason starts for a row with fewer fields than the header, imported with blanks.</summary>
    internal const string WarningPrefix = "Warning:";
    /// <summary>How the report's reason starts for a later row with an email already seen in the file.</summary>
    internal const string DuplicatePrefix = "Duplicate:";

    /// <summary>A valid row, or null with the reason. A valid row may come with a reason too: a warning for the report.</summary>
    private static ImportRow? ReadRow(CsvReader reader, ImportMapping mapping, out string? reason)
    {
        if (!Utf8.IsValid(reader.RawRecord))
        {
            reason = "Not valid UTF-8 text: save the file as UTF-8 (CSV UTF-8 in Excel) and import it again.";
            return null;
        }
        var fields = reader.FieldCount;
        if (fields > mapping.ColumnCount || fields <= mapping.EmailColumn)
        {
            reason = $"Expected {mapping.ColumnCount} columns, found {fields}" + (fields <= mapping.EmailColumn ? ": the email column is missing." : ".");
            return null;
        }
        // Fewer fields than the header (a spreadsheet drops trailing empty cells): the missing ones are blank.
        string Field(int column) => column < fields ? reader.GetString(column) ?? "" : "";
        if (!ContactEmail.TryNormalize(Field(mapping.EmailColumn), out var email, out reason)) return null;

        var name = mapping.NameColumn is { } nameColumn ? Field(nameColumn).Trim() : "";
        if (name.Length > ContactConfiguration.NameMaxLength)
        {
            reason = $"Name is longer than {ContactConfiguration.NameMaxLength} characters.";
            return null;
        }
        if (PlainName.Problem(name) is { } nameProblem)
        {
            reason = nameProblem;
            return null;
        }
        Dictionary<string, string>? attributes = null;
        foreach (var column in mapping.Attributes)
        {
            var value = Field(column.Column).Trim();
            if (value.Length == 0) continue; // an empty cell does not erase what the contact has
            if (value.Length > ContactAttributes.MaxValueLength)
            {
                reason = $"Value of {column.Key} is longer than {ContactAttributes.MaxValueLength} characters.";
                return null;
            }
            (attributes ??= [])[column.Key] = value;
        }
        reason = fields < mapping.ColumnCount
            ? $"{WarningPrefix} expected {mapping.ColumnCount} columns, found {fields}; imported with the missing fields blank."
            : null;
        return new ImportRow(email, name, attributes);
    }

    private async Task WriteBatchAsync(BulkContactWriter writer, ContactImport import, List<ImportRow> rows, long checkpointBefore, CancellationToken ct)
    {
        // Every email appears once in the whole run (the reading side drops later repeats as duplicates).
        var workspaceId = import.WorkspaceId;
        var emails = rows.Select(r => r.Email).ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // First, and conditional on the checkpoint this batch starts from: the row stays locked until the commit, so two
        // runs of one import (which Quartz's one-run-per-job rule should already prevent) can never both write a batch.
        var mine = await db.ContactImports.IgnoreQueryFilters()
            .Where(x => x.Id == import.Id && x.Status == ImportStatus.Running && x.BytesRead == checkpointBefore)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.HeartbeatAt, now), ct);
        if (mine == 0) throw new ImportTakenOverException(import.Id);
        var existing = await writer.FindAsync(workspaceId, emails, ct);
        var writes = new List<ContactWrite>(rows.Count);
        foreach (var row in rows)
        {
            var attributes = row.Attributes ?? (IReadOnlyDictionary<string, string>)EmptyAttributes;
            if (!existing.TryGetValue(row.Email, out var contact))
            {
                import.Imported++;
                writes.Add(new ContactWrite(row.Email, row.Name, ContactAttributes.Serialize(attributes)));
            }
            else if (import.ExistingPolicy == ExistingContactPolicy.Update)
            {
                import.Updated++;
                writes.Add(new ContactWrite(row.Email, row.Name.Length > 0 ? row.Name : contact.Name, ContactAttributes.Merge(contact.AttributesJson, attributes)));
            }
            else
            {
                import.Skipped++;
            }
        }
        await writer.UpsertAsync(workspaceId, writes, now, ct);
        var added = await writer.AddToListAsync(workspaceId, import.ListId, emails, now, ct);
        if (added > 0)
        {
            await db.ContactLists.IgnoreQueryFilters().Where(l => l.Id == import.ListId && l.WorkspaceId == workspaceId)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.MemberCount, l => l.MemberCount + added), ct);
        }
        import.HeartbeatAt = now;
        await SaveProgressAsync(import, ct);
        await transaction.CommitAsync(ct);
    }

    private static readonly Dictionary<string, string> EmptyAttributes = [];

    /// <summary>Writes the import's counters and status with one UPDATE (the row is not tracked across batches).</summary>
    internal async Task SaveProgressAsync(ContactImport i, CancellationToken ct)
    {
        await db.ContactImports.IgnoreQueryFilters().Where(x => x.Id == i.Id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, i.Status)
            .SetProperty(x => x.BytesRead, i.BytesRead)
            .SetProperty(x => x.CheckpointLine, i.CheckpointLine)
            .SetProperty(x => x.ErrorFileLength, i.ErrorFileLength)
            .SetProperty(x => x.RowsRead, i.RowsRead)
            .SetProperty(x => x.Imported, i.Imported)
            .SetProperty(x => x.Updated, i.Updated)
            .SetProperty(x => x.Skipped, i.Skipped)
            .SetProperty(x => x.Merged, i.Merged)
            .SetProperty(x => x.Invalid, i.Invalid)
            .SetProperty(x => x.ErrorFilePath, i.ErrorFilePath)
            .SetProperty(x => x.FailureReason, i.FailureReason)
            .SetProperty(x => x.HeartbeatAt, i.HeartbeatAt)
            .SetProperty(x => x.FinishedAt, i.FinishedAt), ct);
    }

    private sealed record ImportRow(string Email, string Name, Dictionary<string, string>? Attributes);

    /// <summary>
    /// The emails the run has seen, as 64-bit hashes: about 40 bytes per distinct email (40 MB at a million) instead of
    /// the emails themselves. A hash collision (odds about 1 in 30 million for a million emails) makes a row with a new
    /// email count as a duplicate: it is then listed in the report with its line, not lost silently.
    /// </summary>
    private sealed class EmailsSeen
    {
        private readonly HashSet<ulong> _seen = [];

        public bool Add(string email) => _seen.Add(Hash(email));

        private static ulong Hash(string s)
        {
            // FNV-1a, 64-bit.
            var h = 14695981039346656037UL;
            foreach (var c in s)
            {
                h ^= c;
                h *= 1099511628211UL;
            }
            return h;
        }
    }
}

/// <summary>
/// The import's report, a CSV of the rows to look at: line, reason, record. Invalid rows (not imported), duplicates
/// (reason starting "Duplicate:", not imported) and warnings (reason starting "Warning:", imported). Opened in a
/// spreadsheet by operators, so cells that start like a formula are escaped (CsvHelper's injection protection).
/// </summary>
internal sealed class ErrorReport : IDisposable
{
    private readonly FileStream _file;
    private readonly CsvWriter _writer;
    private bool _written;

    private ErrorReport(string path, FileStream file, bool header)
    {
        Path = path;
        _file = file;
        // The byte order mark only at the start of the file, not before appended rows.
        _writer = CsvWriter.Create(file, header ? ContactCsv.WriterOptions : ContactCsv.WriterOptions with { WriteByteOrderMark = false }, leaveOpen: true);
        if (header) _writer.WriteRecord(["line", "reason", "record"]);
        _written = header;
    }

    public string Path { get; }

    /// <summary>
    /// A new report beside the upload and named after it (its name is unique): named by import id, reports of imports on
    /// different databases sharing a folder (instances, parallel test apps) overwrote each other.
    /// </summary>
    public static string PathFor(ContactImport import) => System.IO.Path.ChangeExtension(import.FilePath, null) + "-errors.csv";

    public static ErrorReport Create(ContactImport import)
    {
        var path = PathFor(import);
        return new(path, new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read), header: true);
    }

    /// <summary>
    /// The report of a resumed import: cut back to <paramref name="length"/>, its length at the checkpoint (what an
    /// interrupted run wrote after its last commit is written again by this one), and appended to.
    /// </summary>
    public static ErrorReport Append(string path, long length)
    {
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        if (file.Length > length) file.SetLength(length);
        file.Seek(0, SeekOrigin.End);
        return new(path, file, header: file.Length == 0);
    }

    public void Add(long line, string reason, string record)
    {
        _writer.WriteRecord([line.ToString(System.Globalization.CultureInfo.InvariantCulture), reason, record]);
        _written = true;
    }

    /// <summary>Writes what is buffered through to the disk (before the checkpoint that counts it commits) and returns the report's length.</summary>
    public long Flush()
    {
        if (_written)
        {
            _writer.Flush();
            _file.Flush(flushToDisk: true);
            _written = false;
        }
        return _file.Length;
    }

    public void Dispose()
    {
        _writer.Dispose();
        _file.Dispose();
    }

    /// <summary>How many rows of a finished report are warnings (there is no counter column for them).</summary>
    public static long CountWarnings(string path)
    {
        if (!File.Exists(path)) return 0;
        using var reader = CsvReader.FromFile(path, ContactImporter.ReaderOptions(','));
        long count = 0;
        while (reader.Read())
        {
            if (reader.FieldCount > 1 && reader.GetString(1).StartsWith(ContactImporter.WarningPrefix, StringComparison.Ordinal)) count++;
        }
        return count;
    }
}

/// <summary>Another run of the same import moved its checkpoint: this one stops without writing.</summary>
public sealed class ImportTakenOverException(long importId)
    : Exception($"Import {importId} was moved past this run's checkpoint by another run; this run stops.");

/// <summary>The file does not have a record where the checkpoint says: it changed since the import started.</summary>
public sealed class ImportCheckpointException(long offset, long line, long foundOffset, long foundLine)
    : Exception(foundOffset < 0
        ? $"The file ends before byte {offset} (line {line}), where the import stopped: it changed since the import started."
        : $"The file has no record at byte {offset} (line {line}), where the import stopped (the nearest is at byte {foundOffset}, line {foundLine}): it changed since the import started.");
