using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;
using SendCraft.Web.Realtime;

namespace SendCraft.Web.Contacts.Import;

/// <summary>
/// Runs queued imports one at a time, in the background, so they survive the browser leaving the page.
/// Claiming is a conditional UPDATE (Queued → Running), so when several instances share a MySQL database each
/// import runs once.
/// If the process stops mid-import, the import is marked Failed rather than resumed: at once on a graceful
/// shutdown, or, after a crash, when its heartbeat is older than ImportOptions.StaleAfter (checked by every
/// instance's worker). The batches written before the stop stay (each batch commits its rows and counters
/// together); importing the same file again is safe, since contacts are matched by email and list membership
/// is idempotent. Resuming in place would need the reader's byte position to be restartable mid-record, which
/// quoted multi-line fields make fragile; a re-run is simple and correct.
/// </summary>
public sealed class ContactImportWorker(IServiceScopeFactory scopes, ImportSignal signal, IOptions<ImportOptions> options, TimeProvider clock,
    INotifier notifier, ILogger<ContactImportWorker> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FailAbandonedAsync(stoppingToken);
                while (await RunNextAsync(stoppingToken)) { }
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be unreachable for a moment; try again after a pause rather than stop importing for good.
                log.LogError(e, "The contact import worker failed; retrying shortly");
                try { await Task.Delay(options.Value.PollInterval, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task FailAbandonedAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var staleBefore = now - options.Value.StaleAfter;
        var failed = await db.ContactImports.IgnoreQueryFilters()
            .Where(i => i.Status == ImportStatus.Running && (i.HeartbeatAt == null || i.HeartbeatAt < staleBefore))
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, ImportStatus.Failed)
                .SetProperty(i => i.FinishedAt, now)
                .SetProperty(i => i.FailureReason, "The server stopped while this import was running. The rows counted here were imported; import the file again to finish (contacts already imported are matched by email, not duplicated)."), ct);
        if (failed > 0) log.LogWarning("Marked {Count} abandoned contact import(s) as failed", failed);
    }

    /// <summary>Claims and runs the oldest queued import. False when there was none.</summary>
    private async Task<bool> RunNextAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var candidate = await db.ContactImports.IgnoreQueryFilters().AsNoTracking()
            .Where(i => i.Status == ImportStatus.Queued)
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id)
            .FirstOrDefaultAsync(stoppingToken);
        if (candidate is null) return false;

        var now = clock.GetUtcNow().UtcDateTime;
        var claimed = await db.ContactImports.IgnoreQueryFilters()
            .Where(i => i.Id == candidate.Id && i.Status == ImportStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, ImportStatus.Running).SetProperty(i => i.StartedAt, now).SetProperty(i => i.HeartbeatAt, now), stoppingToken);
        if (claimed == 0) return true; // another instance took it; look for the next

        candidate.Status = ImportStatus.Running;
        candidate.StartedAt = now;
        using (scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(candidate.WorkspaceId))
        {
            var importer = scope.ServiceProvider.GetRequiredService<ContactImporter>();
            try
            {
                await importer.RunAsync(candidate, stoppingToken);
            }
            catch (Exception e)
            {
                var stopping = stoppingToken.IsCancellationRequested;
                if (!stopping) log.LogError(e, "Contact import {ImportId} failed", candidate.Id);
                candidate.Status = ImportStatus.Failed;
                candidate.FinishedAt = clock.GetUtcNow().UtcDateTime;
                candidate.FailureReason = stopping
                    ? "The server was stopped while this import was running. The rows counted here were imported; import the file again to finish (contacts already imported are matched by email, not duplicated)."
                    : "The import stopped on an unexpected error: " + e.Message;
                db.ChangeTracker.Clear();
                // The counters in memory may include a batch whose transaction rolled back: keep the committed ones.
                await db.ContactImports.IgnoreQueryFilters().Where(i => i.Id == candidate.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Status, ImportStatus.Failed)
                    .SetProperty(i => i.FinishedAt, candidate.FinishedAt)
                    .SetProperty(i => i.FailureReason, candidate.FailureReason), CancellationToken.None);
                if (stopping) throw;
            }
            finally
            {
                TryDelete(candidate.FilePath); // the upload holds personal data; the error report is kept for download
            }
        }
        await NotifyFinishedAsync(candidate, stoppingToken);
        return true;
    }

    /// <summary>Tells the workspace's members (bell and toast) that the import ended; the import itself is already saved.</summary>
    private async Task NotifyFinishedAsync(ContactImport import, CancellationToken ct)
    {
        var link = $"/imports/{import.Id}";
        try
        {
            if (import.Status == ImportStatus.Completed)
                await notifier.NotifyWorkspaceAsync(import.WorkspaceId, NotificationKinds.ImportFinished,
                    $"Import finished: {import.Imported + import.Updated:N0} contacts, {import.Invalid:N0} errors",
                    $"{import.FileName}: {import.Imported:N0} new, {import.Updated:N0} updated, {import.Skipped:N0} unchanged, {import.Merged:N0} duplicates.", link, ct);
            else
                await notifier.NotifyWorkspaceAsync(import.WorkspaceId, NotificationKinds.ImportFailed,
                    $"Import failed: {import.FileName}", import.FailureReason, link, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.LogWarning(e, "Could not notify the workspace that contact import {ImportId} ended", import.Id);
        }
    }

    private void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException e) { log.LogWarning(e, "Could not delete the uploaded file {Path}", path); }
    }
}
