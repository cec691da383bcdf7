using System.ComponentModel.DataAnnotations;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Templating;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Templates;

/// <summary>
/// One template: the editor form (plain POST, htmx-enhanced), a live preview (htmx, debounced), and text generated
/// from the HTML. Answers /templates/{id} and /templates/new. Viewers see it read-only.
/// </summary>
public sealed class EditModel(SendCraftDbContext db, CurrentWorkspace current, TemplateRenderer renderer, TimeProvider clock) : PageModel
{
    public const string StarterHtml = """
        <h1>Hello {{ first_name | default: "there" }},</h1>
        <p>Write your message here. Variables such as {{ company }} come from the contact and the sample data.</p>
        <p><a href="https://example.com">Visit our site</a></p>
        """;

    public sealed class TemplateInput
    {
        [Required, StringLength(EmailTemplate.NameMaxLength), Display(Name = "Name")]
        public string Name { get; set; } = "";

        [Display(Name = "Type")]
        public TemplateType Type { get; set; } = TemplateType.Other;

        [Required, StringLength(EmailTemplate.SubjectMaxLength), Display(Name = "Subject")]
        public string Subject { get; set; } = "";

        [Display(Name = "HTML body")]
        public string? HtmlBody { get; set; }

        [Display(Name = "Text body")]
        public string? TextBody { get; set; }

        [Display(Name = "Sample data (JSON)")]
        public string? SampleData { get; set; }

        [Display(Name = "Active")]
        public bool IsActive { get; set; } = true;

        /// <summary>The version the form was loaded at: a save over someone else's newer save is refused.</summary>
        public int Version { get; set; }

        public TemplateSource ToSource() => new(Subject ?? "", HtmlBody ?? "", TextBody ?? "");
    }

    [BindProperty] public TemplateInput Input { get; set; } = new();
    public long? Id { get; private set; }
    public EmailTemplate? Saved { get; private set; }
    public TemplatePreview Preview { get; private set; } = null!;
    public bool CanEdit => current.Has(WorkspaceRole.Member);
    public bool IsNew => Id is null;
    /// <summary>The template's id from the route; null for /templates/new.</summary>
    private long? RouteId => long.TryParse(RouteData.Values["key"] as string, out var id) ? id : null;
    public string PageUrl => IsNew ? "/templates/new" : $"/templates/{Id}";

    public async Task<IActionResult> OnGetAsync()
    {
        var id = RouteId;
        if (id is not null)
        {
            Saved = await db.EmailTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id);
            if (Saved is null) return NotFound();
            Id = id;
            Input = new TemplateInput
            {
                Name = Saved.Name, Type = Saved.Type, Subject = Saved.Subject, HtmlBody = Saved.HtmlBody, TextBody = Saved.TextBody,
                SampleData = Saved.SampleData, IsActive = Saved.IsActive, Version = Saved.Version,
            };
        }
        else
        {
            Input = new TemplateInput
            {
                Subject = "Hello {{ first_name }}",
                HtmlBody = StarterHtml,
                SampleData = "{\n  \"first_name\": \"Ada\",\n  \"company\": \"Analytical Engines Ltd\"\n}",
            };
        }
        Preview = await TemplatePreview.BuildAsync(renderer, Input.ToSource(), Input.SampleData);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var id = RouteId;
        Id = id;
        EmailTemplate? template = null;
        if (id is not null)
        {
            template = await db.EmailTemplates.FirstOrDefaultAsync(t => t.Id == id);
            if (template is null) return NotFound();
            Saved = template;
        }

        Input.Name = Input.Name?.Trim() ?? "";
        Preview = await TemplatePreview.BuildAsync(renderer, Input.ToSource(), Input.SampleData);
        foreach (var error in Preview.Errors)
            ModelState.AddModelError(error.Part switch
            {
                TemplatePart.Subject => "Input.Subject",
                TemplatePart.Html => "Input.HtmlBody",
                _ => "Input.TextBody",
            }, error.ToString());
        if (Preview.SampleDataError is not null) ModelState.AddModelError("Input.SampleData", Preview.SampleDataError);
        if (ModelState.IsValid && await db.EmailTemplates.AnyAsync(t => t.Name == Input.Name && t.Id != (id ?? 0)))
            ModelState.AddModelError("Input.Name", $"A template named “{Input.Name}” already exists in this workspace.");
        if (template is not null && ModelState.IsValid && template.Version != Input.Version)
            ModelState.AddModelError("", "Someone else saved this template after you opened it. Copy your changes, reload the page and apply them again.");

        if (!ModelState.IsValid)
        {
            if (!Request.IsHtmx()) return Page();
            Toast("Not saved: fix the problems shown in the form.", isError: true);
            return Partial("_EditorForm", this);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        template ??= db.EmailTemplates.Add(new EmailTemplate { CreatedAt = now, Version = 0 }).Entity;
        template.Name = Input.Name;
        template.Type = Input.Type;
        template.Subject = Input.Subject.Trim();
        template.HtmlBody = Input.HtmlBody ?? "";
        template.TextBody = Input.TextBody ?? "";
        template.SampleData = string.IsNullOrWhiteSpace(Input.SampleData) ? "{}" : Input.SampleData;
        template.IsActive = Input.IsActive;
        template.Version++;
        template.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateConcurrencyException)
        {
            ModelState.AddModelError("", "Someone else saved this template at the same moment. Reload the page and apply your changes again.");
            return Request.IsHtmx() ? Partial("_EditorForm", this) : Page();
        }

        var missing = Preview.MissingSamples.ToList();
        var message = missing.Count == 0
            ? $"Template “{template.Name}” saved."
            : $"Template “{template.Name}” saved. No sample value for: {string.Join(", ", missing)}.";
        if (Request.IsHtmx() && id is not null)
        {
            Id = template.Id;
            Saved = template;
            Input.Version = template.Version;
            ModelState.Remove("Input.Version");
            Toast(message, isError: false);
            return Partial("_EditorForm", this);
        }
        TempData["Flash"] = message;
        if (Request.IsHtmx())
        {
            // A new template gets its own address: a full navigation there, which shows the flash.
            Response.Htmx(h => h.Redirect($"/templates/{template.Id}"));
            return new OkResult();
        }
        return Redirect($"/templates/{template.Id}");
    }

    /// <summary>The live preview: renders what is in the form (saved or not) with its sample data. Saves nothing, so viewers may use it.</summary>
    [RequiresRole(WorkspaceRole.Viewer)]
    public async Task<IActionResult> OnPostPreviewAsync()
    {
        if (!await ExistsAsync(RouteId)) return NotFound();
        Preview = await TemplatePreview.BuildAsync(renderer, Input.ToSource(), Input.SampleData);
        if (Request.IsHtmx())
        {
            Response.Headers.Vary = "HX-Request";
            return Partial("_Preview", Preview);
        }
        ModelState.Clear(); // the full page shows the form as typed; nothing here is a save
        return Page();
    }

    /// <summary>Fills the text body with a readable version of the HTML body (not saved until the form is). Saves nothing, so viewers may use it.</summary>
    [RequiresRole(WorkspaceRole.Viewer)]
    public async Task<IActionResult> OnPostGenerateTextAsync()
    {
        if (!await ExistsAsync(RouteId)) return NotFound();
        Input.TextBody = HtmlToText.Convert(Input.HtmlBody ?? "");
        ModelState.Remove("Input.TextBody");
        if (Request.IsHtmx())
        {
            Response.Toast("Text body generated from the HTML. Save to keep it.", isError: false, "template-changed");
            return Partial("_TextBodyField", this);
        }
        Preview = await TemplatePreview.BuildAsync(renderer, Input.ToSource(), Input.SampleData);
        return Page();
    }

    private async Task<bool> ExistsAsync(long? id)
    {
        Id = id;
        if (id is null) return true;
        Saved = await db.EmailTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id);
        return Saved is not null;
    }

    private void Toast(string message, bool isError)
    {
        Response.Toast(message, isError);
    }
}
