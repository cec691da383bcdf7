namespace SendCraft.Web.Data;

/// <summary>What may be sent to a contact. Only Active contacts receive campaigns.</summary>
public enum ContactStatus
{
    Active = 0,
    Unsubscribed = 1,
    Bounced = 2,
    Complained = 3,
}

/// <summary>
/// A recipient. <see cref="Email"/> is stored normalized (see Contacts/ContactEmail) and is unique per workspace.
/// <see cref="AttributesJson"/> is a flat JSON object of string values, written only by ContactAttributes so its
/// text form is canonical (the attribute search matches on that text).
/// </summary>
public sealed class Contact : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public string Email { get; set; } = "";
    public string Name { get; set; } = "";
    public string AttributesJson { get; set; } = "{}";
    public ContactStatus Status { get; set; } = ContactStatus.Active;
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime UpdatedAt { get; set; } = DateTime.UtcNow;
}

/// <summary>A named group of contacts. <see cref="MemberCount"/> is kept up to date by every write to its members.</summary>
public sealed class ContactList : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public int MemberCount { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

/// <summary>A contact's membership of a list. Key (ListId, ContactId), which also serves the list page's keyset paging.</summary>
public sealed class ListMember : ITenantOwned
{
    public long ListId { get; set; }
    public long ContactId { get; set; }
    public long WorkspaceId { get; set; }
    public DateTime AddedAt { get; set; } = DateTime.UtcNow;
    public Contact? Contact { get; set; }
    public ContactList? List { get; set; }
}

public enum ImportStatus
{
    /// <summary>Uploaded; the columns are not mapped yet.</summary>
    Draft = 0,
    Queued = 1,
    Running = 2,
    Completed = 3,
    Failed = 4,
}

/// <summary>What an import does with a row whose email already belongs to a contact.</summary>
public enum ExistingContactPolicy
{
    /// <summary>Leave name and attributes as they are (the contact is still added to the list).</summary>
    Skip = 0,
    /// <summary>Overwrite the name when the row has one and merge the row's attributes into the contact's.</summary>
    Update = 1,
}

/// <summary>
/// A CSV import into a list: the durable row its Quartz job (ImportJob) works on, with its live counters and its
/// checkpoint. Counters: every data row read is exactly one of imported, updated, skipped, merged (a duplicate: a
/// later row with an email already seen in the same file; the first row wins and this one is not imported) or invalid.
/// The checkpoint (BytesRead, CheckpointLine, ErrorFileLength and the counters) is committed with each batch, so an
/// import cut off by a restart resumes where its last batch ended.
/// </summary>
public sealed class ContactImport : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long ListId { get; set; }
    public ContactList? List { get; set; }
    public string FileName { get; set; } = "";
    /// <summary>The uploaded file, under the imports folder (see ImportOptions).</summary>
    public string FilePath { get; set; } = "";
    public long FileSize { get; set; }
    public char Separator { get; set; } = ',';
    /// <summary>The column mapping as JSON (ImportMapping).</summary>
    public string MappingJson { get; set; } = "{}";
    public ExistingContactPolicy ExistingPolicy { get; set; }
    public ImportStatus Status { get; set; }
    /// <summary>
    /// The checkpoint: the byte offset (of the UTF-8 input, as the CSV reader counts) of the first record not yet
    /// imported, a record boundary; the file's size once completed. Also the progress bar's numerator.
    /// </summary>
    public long BytesRead { get; set; }
    /// <summary>The physical line where the record at <see cref="BytesRead"/> starts (0 before the first batch).</summary>
    public long CheckpointLine { get; set; }
    public long RowsRead { get; set; }
    public long Imported { get; set; }
    public long Updated { get; set; }
    public long Skipped { get; set; }
    public long Merged { get; set; }
    public long Invalid { get; set; }
    /// <summary>The report: CSV of the invalid, duplicate and warning rows (line, reason, record); null until the first such row.</summary>
    public string? ErrorFilePath { get; set; }
    /// <summary>The report's length in bytes at the checkpoint: a resumed run cuts off what was written after it, then appends.</summary>
    public long ErrorFileLength { get; set; }
    public string? FailureReason { get; set; }
    public string CreatedByUserId { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? StartedAt { get; set; }
    /// <summary>
    /// Written when queued and after every batch while running. Queued or Running with an old heartbeat and no Quartz
    /// job means the job was lost: ImportMonitor schedules it again.
    /// </summary>
    public DateTime? HeartbeatAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    public bool IsFinished => Status is ImportStatus.Completed or ImportStatus.Failed;
}
