using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Contacts;
using SendCraft.Web.Contacts.Import;
using SendCraft.Web.Data;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Imports;

/// <summary>
/// An import: while Draft, the preview and column mapping (step 2); once queued, its live progress (polled by htmx
/// every second until it finishes), which anyone can leave and come back to; the error report download.
/// </summary>
public sealed class DetailsModel(SendCraftDbContext db, ContactImportService imports) : PageModel
{
    public sealed record MappingForm(ImportPreview Preview, int EmailColumn, int? NameColumn,
        IReadOnlyList<(int Column, bool Selected, string Key)> Attributes, ExistingContactPolicy Policy, string? Error);

    public ContactImport Import { get; private set; } = null!;
    public string ListName { get; private set; } = "";
    public MappingForm? Mapping { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Import.Status == ImportStatus.Draft) Mapping = DefaultMapping(ImportService.Preview(Import));
        return Page();
    }

    /// <summary>The progress panel alone, for the every-second poll.</summary>
    public async Task<IActionResult> OnGetProgressAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        Response.Headers.Vary = "HX-Request";
        return Partial("_Progress", Import);
    }

    public async Task<IActionResult> OnPostStartAsync(long id, int emailColumn, int? nameColumn, int[]? attributeColumns,
        ExistingContactPolicy policy, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct, tracked: true)) return NotFound();
        var preview = ImportService.Preview(Import);
        var selected = (attributeColumns ?? []).Distinct().Where(c => c >= 0 && c < preview.Headers.Count).ToHashSet();
        var attributes = selected.Order()
            .Select(c => new AttributeColumn(c, (Request.Form[$"key{c}"].ToString() is { Length: > 0 } k ? k : ContactAttributes.KeyFromHeader(preview.Headers[c])).Trim()))
            .ToList();
        var mapping = new ImportMapping(emailColumn, nameColumn is < 0 ? null : nameColumn, attributes, preview.Headers.Count);
        var error = preview.Problem ?? await imports.QueueAsync(Import, mapping, policy, ct);
        if (error is not null)
        {
            Mapping = new MappingForm(preview, emailColumn, mapping.NameColumn,
                Enumerable.Range(0, preview.Headers.Count).Select(c => (c, selected.Contains(c),
                    attributes.FirstOrDefault(a => a.Column == c)?.Key ?? ContactAttributes.KeyFromHeader(preview.Headers[c]))).ToList(),
                policy, error);
            return Page();
        }
        return Redirect($"/imports/{id}");
    }

    /// <summary>The invalid rows as CSV: line, reason, record.</summary>
    public async Task<IActionResult> OnGetErrorsAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Import.ErrorFilePath is null || !System.IO.File.Exists(Import.ErrorFilePath)) return NotFound();
        var name = Path.GetFileNameWithoutExtension(Import.FileName);
        return PhysicalFile(Import.ErrorFilePath, "text/csv; charset=utf-8", $"{name}-errors.csv");
    }

    private static class ImportService
    {
        public static ImportPreview Preview(ContactImport import) =>
            System.IO.File.Exists(import.FilePath) ? ContactImportService.Preview(import) : new ImportPreview([], [], "The uploaded file is no longer there: upload it again.");
    }

    private static MappingForm DefaultMapping(ImportPreview preview)
    {
        var headers = preview.Headers;
        var email = headers.ToList().FindIndex(h => h.Contains("mail", StringComparison.OrdinalIgnoreCase));
        var name = headers.ToList().FindIndex(h => h.Trim().Equals("name", StringComparison.OrdinalIgnoreCase)
                                                   || h.Contains("full name", StringComparison.OrdinalIgnoreCase));
        var attributes = Enumerable.Range(0, headers.Count)
            .Select(c => (c, c != email && c != name, ContactAttributes.KeyFromHeader(headers[c]))).ToList();
        return new MappingForm(preview, Math.Max(email, 0), name < 0 ? null : name, attributes, ExistingContactPolicy.Skip, null);
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct, bool tracked = false)
    {
        var query = tracked ? db.ContactImports : db.ContactImports.AsNoTracking();
        var import = await query.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (import is null) return false;
        Import = import;
        ListName = await db.ContactLists.Where(l => l.Id == import.ListId).Select(l => l.Name).FirstOrDefaultAsync(ct) ?? "";
        return true;
    }
}
