using System.Globalization;
using System.Text;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using SendCraft.Web.Campaigns;
using SendCraft.Web.Analytics;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Sending;
using SendCraft.Web.Templating;
using SendCraft.Web.Workspaces;
using SendCraft.Web.Unsubscribe;

namespace SendCraft.Web.Pages.Campaigns;

/// <summary>
/// One campaign: what it sends to whom, a preview as any contact of its audience, test sends, send now / schedule in the
/// operator's time zone, the live progress panel (polled by htmx every 2 s while it can change) with pause, resume and
/// cancel, and once something was sent the report with the recipient list and its CSV export. Every state change goes
/// through <see cref="CampaignControl"/>, whose refusals are shown as they are.
/// </summary>
public sealed class DetailsModel(
    SendCraftDbContext db, CurrentWorkspace current, CampaignControl control, TemplateRenderer renderer,
    Outbox outbox, IOptions<CampaignOptions> options, UnsubscribeLinks unsubscribe, DashboardQueries queries, TimeProvider clock) : PageModel
{
    public const int RecipientPageSize = 50;

    public Campaign Campaign { get; private set; } = null!;
    public string? AccountLabel { get; private set; }
    public IReadOnlyList<(string Name, bool Excluded)> ListNames { get; private set; } = [];
    public string? TemplateName { get; private set; }
    public ProgressView Progress { get; private set; } = null!;
    public IReadOnlyList<string> Problems { get; private set; } = [];
    /// <summary>Refusals of the last action (schedule, send now, test), shown above the forms.</summary>
    public IReadOnlyList<string> ActionProblems { get; private set; } = [];
    public CampaignPreview? Preview { get; private set; }
    public CampaignReport? Report { get; private set; }
    public RecipientPage? Recipients { get; private set; }
    public bool CanEdit => current.Has(WorkspaceRole.Member);
    public int MaxTestRecipients => options.Value.MaxTestRecipients;

    [BindProperty(SupportsGet = false)] public string? ScheduleAt { get; set; }
    [BindProperty(SupportsGet = false)] public string? ScheduleTimeZone { get; set; }
    [BindProperty(SupportsGet = false)] public string? TestAddresses { get; set; }
    [BindProperty(SupportsGet = true)] public string? PreviewEmail { get; set; }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        await LoadPageAsync(ct);
        return Page();
    }

    /// <summary>The progress panel alone, for the 2-second poll.</summary>
    public async Task<IActionResult> OnGetProgressAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        return ProgressPartial();
    }

    /// <summary>The preview as the audience contact with this email (or the first one, or sample values). Renders, saves nothing.</summary>
    public async Task<IActionResult> OnGetPreviewAsync(long id, string? email, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        PreviewEmail = email;
        Preview = await RenderPreviewAsync(email, ct);
        Response.Headers.Vary = "HX-Request";
        if (Request.IsHtmx()) return Partial("_Preview", Preview);
        await LoadPageAsync(ct);
        return Page();
    }

    /// <summary>Audience contacts whose email starts with <paramref name="email"/>, as datalist options for the preview picker.</summary>
    public async Task<IActionResult> OnGetContactsAsync(long id, string? email, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var prefix = (email ?? "").Trim().ToLowerInvariant();
        var emails = await AudienceContacts().Where(c => c.Email.StartsWith(prefix)).OrderBy(c => c.Email).Take(10).Select(c => c.Email).ToListAsync(ct);
        Response.Headers.Vary = "HX-Request";
        return Partial("_ContactOptions", emails);
    }

    public async Task<IActionResult> OnGetRecipientsAsync(long id, MessageStatus? status, string? email, long? after, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        Recipients = await LoadRecipientsAsync(status, email, after, ct);
        Response.Headers.Vary = "HX-Request";
        if (Request.IsHtmx()) return Partial("_Recipients", Recipients);
        await LoadPageAsync(ct);
        return Page();
    }

    /// <summary>The recipient list as CSV, written row by row as the database returns them (never the whole list in memory).</summary>
    public async Task<IActionResult> OnGetExportAsync(long id, MessageStatus? status, string? email, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var name = new string(Campaign.Name.Select(ch => char.IsLetterOrDigit(ch) ? ch : '-').ToArray()).Trim('-');
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"campaign-{Campaign.Id}-{(name.Length == 0 ? "recipients" : name)}.csv\"";
        await using var writer = new StreamWriter(Response.Body, new UTF8Encoding(false), bufferSize: 16 * 1024);
        await writer.WriteLineAsync("email,status,sent_at_utc,attempts,last_smtp_code,last_smtp_response");
        var rows = RecipientQuery(status, email).OrderBy(m => m.Id)
            .Select(m => new { m.Recipient, m.Status, m.SentAt, m.Attempts, m.LastSmtpCode, m.LastSmtpResponse }).AsAsyncEnumerable();
        await foreach (var r in rows.WithCancellation(ct))
        {
            await writer.WriteLineAsync(string.Join(',', Csv(r.Recipient), r.Status.ToString(),
                r.SentAt?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "", r.Attempts.ToString(CultureInfo.InvariantCulture),
                r.LastSmtpCode?.ToString(CultureInfo.InvariantCulture) ?? "", Csv(r.LastSmtpResponse ?? "")));
        }
        await writer.FlushAsync(ct);
        return new EmptyResult();
    }

    public async Task<IActionResult> OnPostSendNowAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        return await AfterControlAsync(await control.SendNowAsync(id, ct), $"Campaign “{Campaign.Name}” is starting.", ct);
    }

    /// <summary>Schedules (or reschedules) at a local date and time in an IANA time zone; stored as UTC.</summary>
    public async Task<IActionResult> OnPostScheduleAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var zone = CampaignTimes.Find(ScheduleTimeZone);
        if (zone is null)
            return await RefusedAsync(["Choose the time zone the date and time are in."], ct);
        if (!DateTime.TryParseExact(ScheduleAt, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return await RefusedAsync(["Give the date and time to send it at."], ct);
        if (zone.IsInvalidTime(local))
            return await RefusedAsync([$"{local:yyyy-MM-dd HH:mm} does not exist in {zone.Id} (the clocks skip it): choose another time."], ct);
        var utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
        var result = await control.ScheduleAsync(id, utc, zone.Id, ct);
        return await AfterControlAsync(result, $"Campaign “{Campaign.Name}” scheduled for {CampaignTimes.Local(utc, zone.Id)}{(CampaignTimes.IsUtc(zone.Id) ? "" : $" ({CampaignTimes.Utc(utc)})")}.", ct);
    }

    public async Task<IActionResult> OnPostUnscheduleAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        return await AfterControlAsync(await control.UnscheduleAsync(id, ct), $"Campaign “{Campaign.Name}” unscheduled: it is a draft again.", ct);
    }

    public async Task<IActionResult> OnPostPauseAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        return await AfterPanelActionAsync(id, await control.PauseAsync(id, ct: ct), $"Campaign “{Campaign.Name}” paused: no new message goes out until you resume it.", ct);
    }

    public async Task<IActionResult> OnPostResumeAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        return await AfterPanelActionAsync(id, await control.ResumeAsync(id, ct), $"Campaign “{Campaign.Name}” resumed.", ct);
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        return await AfterPanelActionAsync(id, await control.CancelAsync(id, ct), $"Campaign “{Campaign.Name}” cancelled: the remaining recipients get nothing.", ct);
    }

    /// <summary>
    /// A test to a few addresses, rendered as the chosen audience contact (or sample values), through the normal outbox:
    /// its rows carry the campaign with IsTest, so the log marks them and the campaign's counters leave them out.
    /// </summary>
    public async Task<IActionResult> OnPostTestAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var problems = new List<string>();
        var addresses = ParseAddresses(TestAddresses, problems);
        if (addresses.Count == 0 && problems.Count == 0) problems.Add("Give at least one address to send the test to.");
        if (addresses.Count > MaxTestRecipients) problems.Add($"A test goes to at most {MaxTestRecipients} addresses; you gave {addresses.Count}.");
        var account = Campaign.SmtpAccountId is { } accountId
            ? await db.SmtpAccounts.AsNoTracking().Include(a => a.Domain).FirstOrDefaultAsync(a => a.Id == accountId, ct) : null;
        if (account is null) problems.Add("Choose the campaign's SMTP account first (edit the campaign).");
        else if (!account.IsActive || account.Domain is not { IsActive: true }) problems.Add($"The SMTP account {account.FromEmail} or its domain is inactive.");
        var preview = await RenderPreviewAsync(PreviewEmail, ct);
        problems.AddRange(preview.Problems);
        if (problems.Count > 0) return await TestRefusedAsync(problems, ct);

        var rows = await outbox.QueueAsync(new OutgoingEmail(account!.Id, addresses, [], [], "[Test] " + preview.Subject,
            string.IsNullOrEmpty(Campaign.HtmlBody) ? null : preview.Html, string.IsNullOrEmpty(preview.Text) ? null : preview.Text, [],
            TestOfCampaign: Campaign.Id), ct);
        var message = $"Test queued to {string.Join(", ", rows.Select(r => r.Recipient))}, rendered as {(preview.IsSample ? "sample values" : preview.ContactEmail)}.";
        if (Request.IsHtmx())
        {
            Response.Toast(message);
            return Partial("_TestResult", (IReadOnlyList<string>)[]);
        }
        TempData["Flash"] = message;
        return Redirect($"/campaigns/{id}");
    }

    private async Task<IActionResult> TestRefusedAsync(List<string> problems, CancellationToken ct)
    {
        if (Request.IsHtmx())
        {
            Response.Toast("Test not sent: " + problems[0], isError: true);
            return Partial("_TestResult", (IReadOnlyList<string>)problems);
        }
        ActionProblems = problems;
        await LoadPageAsync(ct);
        return Page();
    }

    private async Task<IActionResult> AfterControlAsync(ControlResult result, string success, CancellationToken ct)
    {
        if (!result.Succeeded) return await RefusedAsync(result.Problems, ct);
        TempData["Flash"] = success;
        return Redirect($"/campaigns/{Campaign.Id}");
    }

    private async Task<IActionResult> RefusedAsync(IReadOnlyList<string> problems, CancellationToken ct)
    {
        ActionProblems = problems;
        // The page again (not a redirect), so the schedule form keeps what was typed.
        await LoadAsync(Campaign.Id, ct);
        await LoadPageAsync(ct);
        return Page();
    }

    /// <summary>Pause, resume and cancel live in the progress panel: htmx gets the panel back with a toast.</summary>
    private async Task<IActionResult> AfterPanelActionAsync(long id, ControlResult result, string success, CancellationToken ct)
    {
        var message = result.Succeeded ? success : string.Join(" ", result.Problems);
        if (!Request.IsHtmx())
        {
            TempData[result.Succeeded ? "Flash" : "FlashError"] = message;
            return Redirect($"/campaigns/{id}");
        }
        await LoadAsync(id, ct);
        var partial = ProgressPartial();
        Response.Toast(message, isError: !result.Succeeded);
        return partial;
    }

    private IActionResult ProgressPartial()
    {
        Response.Headers.Vary = "HX-Request";
        return Partial("_Progress", Progress with { Polled = Request.IsHtmx() });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var campaign = await db.Campaigns.AsNoTracking().Include(c => c.Lists).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (campaign is null) return false;
        Campaign = campaign;
        var totals = await CampaignTotals.ForAsync(db, campaign, ct);
        var (perMinute, eta) = totals.Pace(campaign, Now);
        Progress = new ProgressView(campaign, totals, perMinute, eta, CanEdit);
        return true;
    }

    private async Task LoadPageAsync(CancellationToken ct)
    {
        var c = Campaign;
        AccountLabel = c.SmtpAccountId is { } accountId
            ? await db.SmtpAccounts.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.FromName == "" ? a.FromEmail : a.FromName + " <" + a.FromEmail + ">").FirstOrDefaultAsync(ct)
            : null;
        var listIds = c.Lists.Select(l => l.ListId).ToList();
        var names = await db.ContactLists.AsNoTracking().Where(l => listIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, l => l.Name, ct);
        ListNames = c.Lists.Select(l => (names.GetValueOrDefault(l.ListId, $"list {l.ListId}"), l.Excluded)).ToList();
        TemplateName = c.TemplateId is { } templateId ? await db.EmailTemplates.AsNoTracking().Where(t => t.Id == templateId).Select(t => t.Name).FirstOrDefaultAsync(ct) : null;
        if (c.IsEditable) Problems = await control.ProblemsAsync(c, ct);
        Preview ??= await RenderPreviewAsync(PreviewEmail, ct);
        var t = Progress.Totals;
        if (t.Sent + t.Failed + t.Bounced + t.Deferred > 0)
        {
            Report = await LoadReportAsync(t, ct);
            Recipients ??= await LoadRecipientsAsync(null, null, null, ct);
        }
    }

    private IQueryable<Contact> AudienceContacts()
    {
        var included = Campaign.Lists.Where(l => !l.Excluded).Select(l => l.ListId).ToList();
        var excluded = Campaign.Lists.Where(l => l.Excluded).Select(l => l.ListId).ToList();
        return db.Contacts.AsNoTracking().Where(c => db.ListMembers.Any(m => m.ContactId == c.Id && included.Contains(m.ListId))
                                                 && !db.ListMembers.Any(m => m.ContactId == c.Id && excluded.Contains(m.ListId)));
    }

    private async Task<CampaignPreview> RenderPreviewAsync(string? email, CancellationToken ct)
    {
        var wanted = email?.Trim().ToLowerInvariant();
        var contact = string.IsNullOrEmpty(wanted)
            ? await AudienceContacts().OrderBy(c => c.Id).FirstOrDefaultAsync(ct)
            : await AudienceContacts().FirstOrDefaultAsync(c => c.Email == wanted, ct);
        var problems = new List<string>();
        if (contact is null && !string.IsNullOrEmpty(wanted)) problems.Add($"{wanted} is not a contact of this campaign's audience.");
        var fields = contact is null
            ? ContactFields.For("someone@example.com", "Sam Sample", "{}")
            : ContactFields.For(contact.Email, contact.Name, contact.AttributesJson);
        // Previews and test sends carry sample unsubscribe links (a test is not to a subscriber); its page says so.
        unsubscribe.AddSampleFields(fields);
        var source = new TemplateSource(Campaign.Subject, Campaign.HtmlBody, Campaign.TextBody);
        var check = renderer.Check(source);
        problems.AddRange(check.Errors.Select(e => "Template error: " + e));
        if (problems.Count > 0) return new CampaignPreview(contact?.Email, contact is null, null, null, null, problems);
        try
        {
            var rendered = await renderer.RenderAsync(renderer.Compile(source), fields);
            return new CampaignPreview(contact?.Email ?? "someone@example.com", contact is null, rendered.Subject,
                string.IsNullOrEmpty(Campaign.HtmlBody) ? null : rendered.Html, rendered.Text, []);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // A template that parses can still fail on its data (a loop past MaxSteps, a bad date format).
            return new CampaignPreview(contact?.Email, contact is null, null, null, null, [e.Message]);
        }
    }

    private IQueryable<OutboundMessage> RecipientQuery(MessageStatus? status, string? email)
    {
        var query = db.OutboundMessages.AsNoTracking().Where(m => m.CampaignId == Campaign.Id && !m.IsTest);
        if (status is { } s) query = query.Where(m => m.Status == s);
        if (!string.IsNullOrWhiteSpace(email))
        {
            var prefix = email.Trim().ToLowerInvariant();
            query = query.Where(m => m.Recipient.StartsWith(prefix));
        }
        return query;
    }

    private async Task<RecipientPage> LoadRecipientsAsync(MessageStatus? status, string? email, long? after, CancellationToken ct)
    {
        var query = RecipientQuery(status, email);
        if (after is { } a) query = query.Where(m => m.Id > a);
        var rows = await query.OrderBy(m => m.Id).Take(RecipientPageSize + 1)
            .Select(m => new RecipientRow(m.Id, m.Recipient, m.Status, m.SentAt, m.Attempts, m.LastSmtpResponse)).ToListAsync(ct);
        var next = rows.Count > RecipientPageSize ? rows[RecipientPageSize - 1].Id : (long?)null;
        return new RecipientPage(Campaign.Id, rows.Take(RecipientPageSize).ToList(), status, email, after, next);
    }

    private async Task<CampaignReport> LoadReportAsync(CampaignTotals totals, CancellationToken ct)
    {
        var domains = await CampaignReportQueries.DomainsAsync(db, Campaign.Id, ct);
        var errors = await CampaignReportQueries.ErrorsAsync(db, Campaign.Id, ct);

        // Over time, from the hourly or daily rollups (never the outbox: a campaign can have millions of rows).
        var range = StatsRange.Since(Campaign.StartedAt ?? Campaign.CreatedAt, Now);
        var chart = StatsChart.Json(range, await queries.CampaignSeriesAsync(Campaign.Id, range, ct));
        return new CampaignReport(totals, domains, errors, range, chart)
        {
            Tracking = await SendCraft.Web.Tracking.TrackingReports.ForCampaignAsync(db, Campaign, ct),
        };
    }

    /// <summary>Comma-, semicolon- or line-separated addresses; problems name the bad entry.</summary>
    private static List<MailboxAddress> ParseAddresses(string? value, List<string> problems)
    {
        var result = new List<MailboxAddress>();
        if (string.IsNullOrWhiteSpace(value)) return result;
        foreach (var entry in value.Split([',', ';', '\n', '\r', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = entry.IndexOf('@');
            if (at < 1 || at == entry.Length - 1 || !entry[(at + 1)..].Contains('.') || !MailboxAddress.TryParse(entry, out var address) || !HeaderGuard.IsSafe(entry))
                problems.Add($"\"{entry}\" is not a complete email address.");
            else if (result.All(r => !r.Address.Equals(address.Address, StringComparison.OrdinalIgnoreCase)))
                result.Add(address);
        }
        return result;
    }

    /// <summary>A CSV field: quoted when needed; a leading = + - @ is defused so a spreadsheet does not run it as a formula.</summary>
    private static string Csv(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
