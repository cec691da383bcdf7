using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Realtime;

namespace SendCraft.Web.Contacts.Import;

/// <summary>
/// What an import's Quartz job (<see cref="ImportJob"/>) does: starts a queued import (a conditional Queued → Running
/// update) or resumes a running one from its checkpoint, runs it to the end, and then completes it
/// (<see cref="CompletedAsync"/>) or fails it for good (<see cref="FailAsync"/>). Only those two delete the uploaded
/// file: until then a restart can resume the import.
/// Stopped by a shutdown (the job's token), the import stays Running at its last checkpoint and the cancellation goes
/// back to Quartz, which hands the firing back for recovery (AdoJobStoreOptions.RecoverFiringsCancelledByShutdown): the
/// job runs again at the next start, or at once on another instance of a MySQL cluster. After a crash Quartz recovers it
/// too (the job requests recovery); <see cref="ImportMonitor"/> is the safety net if a job is lost altogether.
/// </summary>
public sealed class ContactImportWorker(
    SendCraftDbContext db, WorkspaceScope workspace, ContactImporter importer, INotifier notifier, TimeProvider clock, ILogger<ContactImportWorker> log)
{
    public async Task RunAsync(long importId, CancellationToken ct)
    {
        var import = await db.ContactImports.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(i => i.Id == importId, ct);
        if (import is null || import.Status is not (ImportStatus.Queued or ImportStatus.Running)) return;

        if (import.Status == ImportStatus.Queued)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var started = await db.ContactImports.IgnoreQueryFilters()
                .Where(i => i.Id == importId && i.Status == ImportStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, ImportStatus.Running).SetProperty(i => i.StartedAt, now).SetProperty(i => i.HeartbeatAt, now), ct);
            if (started == 0) return; // changed meanwhile; its own job (or the monitor) takes it from there
            import.Status = ImportStatus.Running;
            import.StartedAt = now;
        }
        else
        {
            log.LogInformation("Import {ImportId} resumes at line {Line} ({Rows} rows done)", importId, import.CheckpointLine, import.RowsRead);
        }

        using var _ = workspace.Enter(import.WorkspaceId);
        if (!File.Exists(import.FilePath))
        {
            await FailAsync(import, "The uploaded file is no longer there, so the import cannot go on. The rows counted here were imported; upload the file again to finish (contacts already imported are matched by email, not duplicated).");
            return;
        }
        try
        {
            await importer.RunAsync(import, ct);
        }
        catch (Exception e) when (ct.IsCancellationRequested)
        {
            // A shutdown (or an interruption): the import stays Running at its last committed checkpoint, its file kept.
            // Quartz hands the firing back for recovery only when the job ends with a cancellation, whatever the
            // database driver made of the cancelled command.
            log.LogInformation("Import {ImportId} stopped by a shutdown; it resumes from its last checkpoint", importId);
            if (e is OperationCanceledException) throw;
            throw new OperationCanceledException("The import was stopped by a shutdown.", e, ct);
        }
        catch (ImportTakenOverException e)
        {
            log.LogWarning("{Message}", e.Message);
            return;
        }
        catch (Exception e)
        {
            log.LogError(e, "Contact import {ImportId} failed", importId);
            await FailAsync(import, e is ImportCheckpointException
                ? "The import cannot resume: " + e.Message + " Upload the file again to finish."
                : "The import stopped on an unexpected error: " + e.Message);
            return;
        }
        if (import.Status == ImportStatus.Completed) await CompletedAsync(import);
    }

    /// <summary>
    /// The import has just completed (its last batch committed the Completed status with its counters): everything that
    /// follows an import's end goes here, once per import.
    /// </summary>
    private Task CompletedAsync(ContactImport import)
    {
        DeleteUpload(import); // the upload holds personal data; the error report is kept for download
        return NotifyEndedAsync(import);
    }

    /// <summary>Fails the import for good, keeping the counters it committed (not those in memory, which may include a rolled-back batch).</summary>
    private async Task FailAsync(ContactImport import, string reason)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (reason.Length > 1000) reason = reason[..1000];
        db.ChangeTracker.Clear();
        var failed = await db.ContactImports.IgnoreQueryFilters()
            .Where(i => i.Id == import.Id && (i.Status == ImportStatus.Running || i.Status == ImportStatus.Queued))
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, ImportStatus.Failed)
                .SetProperty(i => i.FinishedAt, now)
                .SetProperty(i => i.FailureReason, reason), CancellationToken.None);
        if (failed == 0) return;
        import.Status = ImportStatus.Failed;
        import.FinishedAt = now;
        import.FailureReason = reason;
        DeleteUpload(import);
        await NotifyEndedAsync(import);
    }

    /// <summary>Tells the workspace's members (bell and toast) that the import ended; the import itself is already saved.</summary>
    private async Task NotifyEndedAsync(ContactImport import)
    {
        var link = $"/imports/{import.Id}";
        try
        {
            if (import.Status == ImportStatus.Completed)
                await notifier.NotifyWorkspaceAsync(import.WorkspaceId, NotificationKinds.ImportFinished,
                    $"Import finished: {import.Imported + import.Updated:N0} contacts, {import.Invalid:N0} errors",
                    $"{import.FileName}: {import.Imported:N0} new, {import.Updated:N0} updated, {import.Skipped:N0} unchanged, {import.Merged:N0} duplicates.", link);
            else
                await notifier.NotifyWorkspaceAsync(import.WorkspaceId, NotificationKinds.ImportFailed, $"Import failed: {import.FileName}", import.FailureReason, link);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not notify the workspace that contact import {ImportId} ended", import.Id);
        }
    }

    private void DeleteUpload(ContactImport import)
    {
        try
        {
            File.Delete(import.FilePath);
            // A report an interrupted run began but never committed (no error row survived the resume) goes too.
            if (import.ErrorFilePath is null) File.Delete(ErrorReport.PathFor(import));
        }
        catch (IOException e) { log.LogWarning(e, "Could not delete the uploaded file {Path}", import.FilePath); }
    }
}
