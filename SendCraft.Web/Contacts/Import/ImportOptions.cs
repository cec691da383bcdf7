using System.Text.Json;

namespace SendCraft.Web.Contacts.Import;

/// <summary>Settings of CSV imports, section Contacts:Import.</summary>
public sealed class ImportOptions
{
    public const string Section = "Contacts:Import";

    /// <summary>Where uploaded files and error reports are kept. Relative paths are under the content root. Default App_Data/imports.</summary>
    public string Folder { get; set; } = "App_Data/imports";
    /// <summary>
    /// Rows written per transaction. Random emails touch index pages all over, and each commit writes every page its
    /// batch touched, so fewer, larger commits write far less (1,000,000 rows, `bench/run import`, SQLite: 5,000 a
    /// batch 35.9 s, 20,000 a batch 22.7 s; MariaDB the same within noise, 44.4 s and 46.1 s). On SQLite a batch
    /// holds the write lock for about half a second.
    /// </summary>
    public int BatchSize { get; set; } = 20_000;
    /// <summary>How often ImportMonitor looks for imports whose Quartz job was lost.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// A queued or running import whose heartbeat is older than this, and which has no Quartz job, lost its job (a trigger
    /// that never reached the database): ImportMonitor schedules it again and it resumes from its checkpoint. Quartz
    /// itself recovers a job cut off by a crash or a shutdown; this is the safety net behind it.
    /// </summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>The largest CSV upload, in bytes. Keep Nginx's client_max_body_size (deploy/nginx) at least this large. Default 512 MB.</summary>
    public long MaxUploadBytes { get; set; } = 512L * 1024 * 1024;
}

/// <summary>Which CSV columns (0-based) become what. Stored as JSON on the import row.</summary>
public sealed record ImportMapping(int EmailColumn, int? NameColumn, IReadOnlyList<AttributeColumn> Attributes, int ColumnCount)
{
    public string ToJson() => JsonSerializer.Serialize(this);
    public static ImportMapping FromJson(string json) =>
        JsonSerializer.Deserialize<ImportMapping>(json) ?? throw new InvalidOperationException("The import has no column mapping.");
}

public sealed record AttributeColumn(int Column, string Key);
