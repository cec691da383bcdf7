using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Contacts.Import;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Contacts;

/// <summary>
/// A contact import run by a real app process on MariaDB (a Quartz cluster), killed with SIGKILL in the middle of a
/// 200,000-row file and started again: the restarted instance recovers the job and completes the import from its
/// checkpoint. An in-process control app (no jobs) queues the import as the mapping page does.
/// </summary>
public sealed class ImportProcessTests
{
    [Fact]
    public async Task KilledMidFile_RestartedInstance_CompletesTheImport_EveryRowsContactOnce_CountersEqualTheFile()
    {
        var csv = ResumeCsv.Generate(200_000);
        var folder = Directory.CreateTempSubdirectory("sendcraft-import-kill-");
        try
        {
            await using var app = await AppProcess.StartAsync(DatabaseKind.MariaDb, new Dictionary<string, string>
            {
                ["Contacts:Import:BatchSize"] = "1000",
                ["Contacts:Import:StaleAfter"] = "00:30:00", // so only Quartz's cluster recovery can resume it here
                ["Scheduling:ClusterCheckinInterval"] = "00:00:01",
                ["Scheduling:MisfireThreshold"] = "00:00:02",
            });
            var path = Path.Combine(folder.FullName, "upload-big.csv");
            await File.WriteAllBytesAsync(path, csv.Bytes);
            long workspaceId, listId, importId;
            await using (var db = DirectDb.Open(app.Database))
            {
                var workspace = new Workspace { Name = "Acme" };
                db.Workspaces.Add(workspace);
                await db.SaveChangesAsync();
                var list = new ContactList { WorkspaceId = workspace.Id, Name = "Everyone" };
                db.ContactLists.Add(list);
                await db.SaveChangesAsync();
                var draft = new ContactImport
                {
                    WorkspaceId = workspace.Id, ListId = list.Id, FileName = "big.csv", FilePath = path, FileSize = csv.Bytes.Length,
                    Separator = ',', Status = ImportStatus.Draft, CreatedAt = DateTime.UtcNow,
                };
                db.ContactImports.Add(draft);
                await db.SaveChangesAsync();
                (workspaceId, listId, importId) = (workspace.Id, list.Id, draft.Id);
            }
            await using (var control = CampaignBuilders.ControlApp(app.Database))
            {
                await using var scope = control.Services.CreateAsyncScope();
                using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
                var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
                var import = await db.ContactImports.SingleAsync(i => i.Id == importId);
                var error = await scope.ServiceProvider.GetRequiredService<ContactImportService>()
                    .QueueAsync(import, new ImportMapping(0, 1, [new AttributeColumn(2, "city")], 3), ExistingContactPolicy.Skip, CancellationToken.None);
                Assert.Null(error);
            }

            await ResumeCsv.WaitForAsync(() => LoadAsync(app.Database, importId), i => i.RowsRead >= 40_000 || i.IsFinished, 180);
            app.Kill();
            var killed = await LoadAsync(app.Database, importId);
            Assert.Equal(ImportStatus.Running, killed.Status);
            Assert.True(killed.RowsRead < csv.Rows, $"the import finished ({killed.RowsRead} rows) before the kill");
            Assert.True(File.Exists(path));

            await app.StartAsync();
            var done = await ResumeCsv.WaitForAsync(() => LoadAsync(app.Database, importId), i => i.IsFinished, 300);
            Assert.True(done.Status == ImportStatus.Completed, $"{done.Status}: {done.FailureReason}\n{app.OutputTail()}");
            await using var check = DirectDb.Open(app.Database);
            await csv.AssertImportedAsync(check, done, workspaceId, listId);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<ContactImport> LoadAsync(TestDatabase database, long id)
    {
        await using var db = DirectDb.Open(database);
        return await db.ContactImports.IgnoreQueryFilters().AsNoTracking().SingleAsync(i => i.Id == id);
    }
}
