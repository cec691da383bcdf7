using System.Text;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Contacts.Import;

public sealed record ImportPreview(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, string? Problem);

/// <summary>The steps before the import's job takes over: upload (file saved, separator detected), preview, mapping, queue.</summary>
public sealed class ContactImportService(
    SendCraftDbContext db, IOptions<ImportOptions> options, IHostEnvironment environment, ImportScheduler scheduler, TimeProvider clock,
    ILogger<ContactImportService> log)
{
    public const int PreviewRows = 5;

    public string Folder
    {
        get
        {
            var folder = Path.Combine(environment.ContentRootPath, options.Value.Folder);
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    /// <summary>Saves the upload (streamed to disk) and creates the import in Draft, awaiting its column mapping.</summary>
    public async Task<ContactImport> UploadAsync(long listId, string fileName, Stream content, string userId, CancellationToken ct)
    {
        var path = Path.Combine(Folder, $"upload-{Guid.NewGuid():N}.csv");
        long size;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            await content.CopyToAsync(file, ct);
            size = file.Length;
        }
        var import = new ContactImport
        {
            ListId = listId,
            FileName = Path.GetFileName(fileName) is { Length: > 0 and <= 255 } n ? n : "upload.csv",
            FilePath = path,
            FileSize = size,
            Separator = DetectSeparator(path),
            Status = ImportStatus.Draft,
            CreatedByUserId = userId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.ContactImports.Add(import);
        await db.SaveChangesAsync(ct);
        return import;
    }

    /// <summary>
    /// ; or , from the header line: whichever occurs more often outside quotes (a comma when neither does).
    /// Excel writes ; in locales whose decimal separator is a comma.
    /// </summary>
    public static char DetectSeparator(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        int commas = 0, semicolons = 0;
        var quoted = false;
        for (var i = 0; i < 1 << 16; i++)
        {
            var c = reader.Read();
            if (c < 0 || (!quoted && c is '\n' or '\r')) break;
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == ',') commas++;
            else if (!quoted && c == ';') semicolons++;
        }
        return semicolons > commas ? ';' : ',';
    }

    public static ImportPreview Preview(ContactImport import)
    {
        try
        {
            using var reader = CsvReader.FromFile(import.FilePath, ContactImporter.ReaderOptions(import.Separator));
            var headers = reader.Headers.ToList();
            if (headers.Count == 0) return new([], [], "The file is empty.");
            var rows = new List<IReadOnlyList<string>>();
            while (rows.Count < PreviewRows && reader.Read())
            {
                rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetString(i)).ToList());
            }
            return new(headers, rows, rows.Count == 0 ? "The file has a header line but no rows." : null);
        }
        catch (CsvFormatException e)
        {
            return new([], [], "The file cannot be read as CSV: " + e.Message);
        }
    }

    /// <summary>
    /// Checks the mapping, queues the import and schedules its Quartz job. Returns an error message instead when the
    /// mapping is not usable.
    /// </summary>
    public async Task<string?> QueueAsync(ContactImport import, ImportMapping mapping, ExistingContactPolicy policy, CancellationToken ct)
    {
        if (import.Status != ImportStatus.Draft) return "This import has already been started.";
        if (mapping.EmailColumn < 0 || mapping.EmailColumn >= mapping.ColumnCount) return "Choose the column that holds the email address.";
        if (mapping.NameColumn is { } n && (n < 0 || n >= mapping.ColumnCount || n == mapping.EmailColumn)) return "The name column must be another column than the email.";
        foreach (var a in mapping.Attributes)
        {
            if (!ContactAttributes.IsValidKey(a.Key))
                return $"Attribute name '{a.Key}' is not valid: use lower-case letters, digits and _, starting with a letter or _.";
            if (a.Column == mapping.EmailColumn || a.Column == mapping.NameColumn || a.Column < 0 || a.Column >= mapping.ColumnCount)
                return "An attribute column cannot also be the email or name column.";
        }
        var duplicate = mapping.Attributes.GroupBy(a => a.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) return $"Two columns are mapped to the attribute '{duplicate.Key}'.";

        import.MappingJson = mapping.ToJson();
        import.ExistingPolicy = policy;
        import.Status = ImportStatus.Queued;
        import.HeartbeatAt = clock.GetUtcNow().UtcDateTime; // ImportMonitor leaves it to the job below until this is stale
        await db.SaveChangesAsync(ct);
        try
        {
            await scheduler.RunNowAsync(import.Id, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Queued is committed: ImportMonitor schedules the job once the heartbeat above is stale.
            log.LogError(e, "Could not schedule import {ImportId}; it will be started by the import monitor", import.Id);
        }
        return null;
    }
}
