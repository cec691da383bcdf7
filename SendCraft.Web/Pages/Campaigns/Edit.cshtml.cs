using System.ComponentModel.DataAnnotations;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Campaigns;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Templating;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Campaigns;

/// <summary>
/// A campaign's content, sender and audience: /campaigns/edit for a new draft, /campaigns/edit/{id} for a draft or a
/// scheduled campaign (a started one is shown read-only). Liquid is checked when saving, errors placed on their field
/// with line and column; the audience count follows the list choices live (htmx GET, nothing saved).
/// </summary>
public sealed class EditModel(SendCraftDbContext db, CurrentWorkspace current, TemplateRenderer renderer, CampaignAudience audience, TimeProvider clock) : PageModel
{
    public sealed class CampaignInput
    {
        [Required(ErrorMessage = "Give the campaign a name."), StringLength(200), Display(Name = "Name")]
        public string Name { get; set; } = "";

        [Required(ErrorMessage = "The subject is empty."), StringLength(EmailTemplate.SubjectMaxLength), Display(Name = "Subject")]
        public string Subject { get; set; } = "";

        [Display(Name = "HTML body")]
        public string? HtmlBody { get; set; }

        [Display(Name = "Text body")]
        public string? TextBody { get; set; }

        [Display(Name = "SMTP account")]
        public long? SmtpAccountId { get; set; }

        [Range(1, 1_000_000, ErrorMessage = "The rate is a number of messages per minute, from 1 to 1,000,000 (or empty for no limit)."), Display(Name = "Rate (messages per minute)")]
        public int? RatePerMinute { get; set; }

        [Display(Name = "Track opens (a 1x1 image in the HTML part)")]
        public bool TrackOpens { get; set; } = true;

        [Display(Name = "Track clicks (links go through this server's signed redirect)")]
        public bool TrackClicks { get; set; } = true;

        public long[] Include { get; set; } = [];
        public long[] Exclude { get; set; } = [];

        /// <summary>The saved template the content was copied from (kept for reference).</summary>
        public long? TemplateId { get; set; }

        public TemplateSource ToSource() => new(Subject ?? "", HtmlBody ?? "", TextBody ?? "");
    }

    public sealed record Option(long Id, string Label);

    [BindProperty] public CampaignInput Input { get; set; } = new();
    public long? Id { get; private set; }
    public Campaign? Saved { get; private set; }
    public IReadOnlyList<Option> Accounts { get; private set; } = [];
    public IReadOnlyList<Option> Lists { get; private set; } = [];
    public IReadOnlyList<Option> Templates { get; private set; } = [];
    public AudienceCount Audience { get; private set; } = new(0, 0, 0, 0);
    public bool CanEdit => current.Has(WorkspaceRole.Member) && (Saved is null || Saved.IsEditable);
    public bool IsNew => Id is null;
    public string PageUrl => IsNew ? "/campaigns/edit" : $"/campaigns/edit/{Id}";

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        if (id is not null)
        {
            Saved = await db.Campaigns.AsNoTracking().Include(c => c.Lists).FirstOrDefaultAsync(c => c.Id == id, ct);
            if (Saved is null) return NotFound();
            Id = id;
            Input = new CampaignInput
            {
                Name = Saved.Name, Subject = Saved.Subject, HtmlBody = Saved.HtmlBody, TextBody = Saved.TextBody, SmtpAccountId = Saved.SmtpAccountId,
                RatePerMinute = Saved.RatePerMinute, TemplateId = Saved.TemplateId, TrackOpens = Saved.TrackOpens, TrackClicks = Saved.TrackClicks,
                Include = Saved.Lists.Where(l => !l.Excluded).Select(l => l.ListId).ToArray(),
                Exclude = Saved.Lists.Where(l => l.Excluded).Select(l => l.ListId).ToArray(),
            };
        }
        else
        {
            Input = new CampaignInput { Subject = "Hello {{ first_name | default: \"there\" }}", HtmlBody = SendCraft.Web.Pages.Templates.EditModel.StarterHtml };
        }
        await LoadChoicesAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        Campaign? campaign = null;
        Id = id;
        if (id is not null)
        {
            campaign = await db.Campaigns.Include(c => c.Lists).FirstOrDefaultAsync(c => c.Id == id, ct);
            if (campaign is null) return NotFound();
            Saved = campaign;
            if (!campaign.IsEditable)
            {
                TempData["FlashError"] = $"The campaign is {campaign.Status.ToString().ToLowerInvariant()}: it can no longer be changed.";
                return Redirect($"/campaigns/{id}");
            }
        }

        Input.Name = Input.Name?.Trim() ?? "";
        Input.Include = Input.Include.Distinct().ToArray();
        Input.Exclude = Input.Exclude.Distinct().ToArray();
        await ValidateAsync(ct);
        if (!ModelState.IsValid)
        {
            await LoadChoicesAsync(ct);
            return Page();
        }

        var now = clock.GetUtcNow().UtcDateTime;
        campaign ??= db.Campaigns.Add(new Campaign { CreatedAt = now }).Entity;
        campaign.Name = Input.Name;
        campaign.Subject = Input.Subject.Trim();
        campaign.HtmlBody = Input.HtmlBody ?? "";
        campaign.TextBody = Input.TextBody ?? "";
        campaign.SmtpAccountId = Input.SmtpAccountId;
        campaign.RatePerMinute = Input.RatePerMinute;
        campaign.TrackOpens = Input.TrackOpens;
        campaign.TrackClicks = Input.TrackClicks;
        campaign.TemplateId = Input.TemplateId;
        campaign.UpdatedAt = now;
        campaign.Lists.Clear();
        campaign.Lists.AddRange(Input.Include.Select(l => new CampaignList { ListId = l })
            .Concat(Input.Exclude.Select(l => new CampaignList { ListId = l, Excluded = true })));
        await db.SaveChangesAsync(ct);
        TempData["Flash"] = $"Campaign “{campaign.Name}” saved.";
        return Redirect($"/campaigns/{campaign.Id}");
    }

    /// <summary>"Start from template": the template's subject, HTML and text replace the form's (nothing is saved until the form is).</summary>
    public async Task<IActionResult> OnPostTemplateAsync(long? id, long? templateId, CancellationToken ct)
    {
        Id = id;
        if (id is not null && (Saved = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct)) is null) return NotFound();
        var template = templateId is null ? null : await db.EmailTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == templateId, ct);
        ModelState.Clear();
        if (template is null)
        {
            ModelState.AddModelError("TemplateId", "Choose a template to start from.");
        }
        else
        {
            Input.Subject = template.Subject;
            Input.HtmlBody = template.HtmlBody;
            Input.TextBody = template.TextBody;
            Input.TemplateId = template.Id;
            if (string.IsNullOrWhiteSpace(Input.Name)) Input.Name = template.Name;
            TempData["Flash"] = $"Subject, HTML and text copied from the template “{template.Name}”. Edit them as you like, then save.";
        }
        await LoadChoicesAsync(ct);
        return Page();
    }

    /// <summary>The live audience count for the lists ticked in the form (read only).</summary>
    public async Task<IActionResult> OnGetAudienceAsync([FromQuery(Name = "Input.Include")] long[]? include, [FromQuery(Name = "Input.Exclude")] long[]? exclude, CancellationToken ct)
    {
        Response.Headers.Vary = "HX-Request";
        var count = await audience.CountAsync(include ?? [], exclude ?? [], ct);
        return Partial("_AudienceCount", new AudienceView(count, (include ?? []).Length > 0));
    }

    private async Task ValidateAsync(CancellationToken ct)
    {
        var problems = await CampaignDraftRules.CheckAsync(db, renderer, Input.ToSource(), Input.SmtpAccountId, Input.Include, Input.Exclude, ct);
        foreach (var problem in problems)
            ModelState.AddModelError(problem.Field switch
            {
                CampaignDraftRules.Field.Subject => "Input.Subject",
                CampaignDraftRules.Field.Html => "Input.HtmlBody",
                CampaignDraftRules.Field.Text => "Input.TextBody",
                CampaignDraftRules.Field.SmtpAccount => "Input.SmtpAccountId",
                CampaignDraftRules.Field.Included => "Input.Include",
                _ => "Input.Exclude",
            }, problem.Message);
        if (Input.TemplateId is { } templateId && !await db.EmailTemplates.AnyAsync(t => t.Id == templateId, ct))
            Input.TemplateId = null;
    }

    private async Task LoadChoicesAsync(CancellationToken ct)
    {
        Accounts = await db.SmtpAccounts.AsNoTracking().Where(a => a.IsActive && a.Domain!.IsActive).OrderBy(a => a.FromEmail)
            .Select(a => new Option(a.Id, a.FromName == "" ? a.FromEmail : a.FromName + " <" + a.FromEmail + ">")).ToListAsync(ct);
        Lists = await db.ContactLists.AsNoTracking().OrderBy(l => l.Name)
            .Select(l => new Option(l.Id, l.Name + " (" + l.MemberCount + ")")).ToListAsync(ct);
        Templates = await db.EmailTemplates.AsNoTracking().Where(t => t.IsActive).OrderBy(t => t.Name)
            .Select(t => new Option(t.Id, t.Name)).ToListAsync(ct);
        Audience = await audience.CountAsync(Input.Include, Input.Exclude, ct);
    }
}

/// <summary>What the audience panel shows: the count, and whether any list is chosen at all.</summary>
public sealed record AudienceView(AudienceCount Count, bool AnyList);
