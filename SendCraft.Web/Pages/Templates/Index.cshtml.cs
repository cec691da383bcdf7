using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Templates;

/// <summary>The template list: search (htmx, debounced), keyset paging by Id, delete and duplicate. Viewers read only.</summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace current, TimeProvider clock) : PageModel
{
    public const int PageSize = 25;

    public sealed record TemplateRow(long Id, string Name, TemplateType Type, string Subject, bool IsActive, int UsageCount, DateTime UpdatedAt, bool CanEdit, bool JustAdded = false);
    /// <summary>One page of rows; <paramref name="NextAfter"/> is the Id to continue after, null on the last page.</summary>
    public sealed record RowsPage(IReadOnlyList<TemplateRow> Rows, long? NextAfter, string? Query, bool IsFirstPage);

    [BindProperty(SupportsGet = true, Name = "q")] public string? Query { get; set; }
    [BindProperty(SupportsGet = true, Name = "after")] public long? After { get; set; }
    public RowsPage Rows { get; private set; } = new([], null, null, true);
    public bool HasAny { get; private set; }
    public bool CanEdit => current.Has(WorkspaceRole.Member);

    public async Task OnGetAsync()
    {
        Rows = await LoadAsync(Query, After);
        HasAny = Rows.Rows.Count > 0 || await db.EmailTemplates.AnyAsync();
    }

    /// <summary>Search and "load more": the rows alone.</summary>
    public async Task<IActionResult> OnGetRowsAsync()
    {
        Response.Headers.Vary = "HX-Request";
        var page = await LoadAsync(Query, After);
        return Request.IsHtmx() ? Partial("_TemplateRows", page) : RedirectToPage(new { q = Query, after = After });
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id)
    {
        var template = await db.EmailTemplates.FirstOrDefaultAsync(t => t.Id == id);
        if (template is null) return NotFound();
        db.EmailTemplates.Remove(template);
        await db.SaveChangesAsync();
        var message = $"Template “{template.Name}” was deleted.";
        if (!Request.IsHtmx())
        {
            TempData["Flash"] = message;
            return RedirectToPage();
        }
        Toast(message);
        return Content("", "text/html"); // the row's outerHTML becomes nothing
    }

    /// <summary>Copies a template as "Copy of &lt;name&gt;" (numbered when that name is taken), inactive and unused.</summary>
    public async Task<IActionResult> OnPostDuplicateAsync(long id)
    {
        var source = await db.EmailTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id);
        if (source is null) return NotFound();

        var name = await FreeCopyNameAsync(source.Name);
        var now = clock.GetUtcNow().UtcDateTime;
        var copy = new EmailTemplate
        {
            Name = name, Type = source.Type, Subject = source.Subject, HtmlBody = source.HtmlBody, TextBody = source.TextBody,
            SampleData = source.SampleData, IsActive = source.IsActive, UsageCount = 0, Version = 1, CreatedAt = now, UpdatedAt = now,
        };
        db.EmailTemplates.Add(copy);
        await db.SaveChangesAsync();

        var message = $"Template copied as “{name}”.";
        if (!Request.IsHtmx())
        {
            TempData["Flash"] = message;
            return Redirect($"/templates/{copy.Id}");
        }
        Toast(message);
        // Target is the source row (outerHTML): answer the copy above it, then the source row unchanged.
        return Partial("_TemplateRowPair", new[] { ToRow(copy) with { JustAdded = true }, ToRow(source) });
    }

    private async Task<string> FreeCopyNameAsync(string original)
    {
        var baseName = $"Copy of {original}";
        if (baseName.Length > EmailTemplate.NameMaxLength - 5) baseName = baseName[..(EmailTemplate.NameMaxLength - 5)];
        var taken = await db.EmailTemplates.Where(t => t.Name.StartsWith(baseName)).Select(t => t.Name).ToListAsync();
        if (!taken.Contains(baseName)) return baseName;
        for (var n = 2; ; n++)
            if (!taken.Contains($"{baseName} ({n})")) return $"{baseName} ({n})";
    }

    private TemplateRow ToRow(EmailTemplate t) => new(t.Id, t.Name, t.Type, t.Subject, t.IsActive, t.UsageCount, t.UpdatedAt, CanEdit);

    private async Task<RowsPage> LoadAsync(string? query, long? after)
    {
        var templates = db.EmailTemplates.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query))
        {
            // LIKE rather than Contains: case-insensitive on both SQLite and MySQL. % and _ typed by the user are literal.
            var pattern = "%" + query.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            templates = templates.Where(t => EF.Functions.Like(t.Name, pattern, "\\") || EF.Functions.Like(t.Subject, pattern, "\\")
                                             || EF.Functions.Like(t.HtmlBody, pattern, "\\") || EF.Functions.Like(t.TextBody, pattern, "\\"));
        }
        if (after is not null) templates = templates.Where(t => t.Id < after);
        var rows = await templates
            .OrderByDescending(t => t.Id)
            .Select(t => new TemplateRow(t.Id, t.Name, t.Type, t.Subject, t.IsActive, t.UsageCount, t.UpdatedAt, false, false))
            .Take(PageSize + 1)
            .ToListAsync();
        var more = rows.Count > PageSize;
        if (more) rows.RemoveAt(PageSize);
        return new RowsPage(rows.Select(r => r with { CanEdit = CanEdit }).ToList(), more ? rows[^1].Id : null, query, after is null);
    }

    private void Toast(string message)
    {
        Response.Toast(message);
    }
}
