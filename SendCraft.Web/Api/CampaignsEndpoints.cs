using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Campaigns;
using SendCraft.Web.Data;
using SendCraft.Web.Data.Configurations;
using SendCraft.Web.Templating;

namespace SendCraft.Web.Api;

/// <summary>
/// /api/v1/campaigns (scope campaigns): drafts saved under the campaign editor's rules (CampaignDraftRules: Liquid
/// errors with line and column), progress from the progress panel's query (CampaignTotals), and every change of state
/// through CampaignControl, as the campaign page makes them. A change the current status does not allow is 409 naming
/// the status; one the campaign's content or audience stops (an empty audience, an inactive account) is 422 with the
/// problems CampaignControl gives.
/// </summary>
public static class CampaignsEndpoints
{
    public static RouteGroupBuilder MapCampaigns(this RouteGroupBuilder api)
    {
        var campaigns = api.MapGroup("/campaigns").WithTags("Campaigns");
        campaigns.MapGet("", ListAsync).RequireScope(ApiScopes.Campaigns)
            .WithName("ListCampaigns").WithSummary("List campaigns, newest first")
            .WithDescription($"status: {CampaignStatusNames.Choices}. Pages of up to 100 (limit, default 25); pass next_cursor as cursor for the next page.")
            .Produces<CampaignPage>().ApiErrors(400, 401, 403, 429);
        campaigns.MapGet("/{id:long}", async (long id, SendCraftDbContext db, TimeProvider clock, CancellationToken ct) =>
                await LoadAsync(db, id, clock, ct) is { } view ? Results.Json(view, ApiJson.Options) : ApiProblems.NotFound("campaign"))
            .RequireScope(ApiScopes.Campaigns).WithName("GetCampaign").WithSummary("Get a campaign with its status and progress counters")
            .Produces<CampaignView>().ApiErrors(401, 403, 404, 429);
        campaigns.MapPost("", CreateAsync).RequireScope(ApiScopes.Campaigns)
            .WithName("CreateCampaign").WithSummary("Create a draft campaign")
            .WithDescription("Give subject with html and/or text, or template_id to copy a template's. The Liquid is checked as the campaign " +
                             "editor checks it: errors name the field, with line and column. Send or schedule it with the actions below.")
            .Accepts<CampaignRequest>("application/json").Produces<CampaignView>(StatusCodes.Status201Created)
            .ApiErrors(400, 401, 403, 413, 415, 422, 429);
        campaigns.MapPatch("/{id:long}", PatchAsync).RequireScope(ApiScopes.Campaigns)
            .WithName("UpdateCampaign").WithSummary("Change a draft campaign (the fields given)")
            .WithDescription("Drafts only: a scheduled campaign is unscheduled first (409 otherwise). The whole campaign is checked again.")
            .Accepts<CampaignRequest>("application/json").Produces<CampaignView>()
            .ApiErrors(400, 401, 403, 404, 409, 413, 415, 422, 429);

        Action(campaigns, "send", "SendCampaign", "Send a draft or scheduled campaign now",
            "Starts it in the background (status scheduled, then sending, then sent); follow it with GET /campaigns/{id}. 422 when it cannot " +
            "be sent as it is (empty audience, inactive account, template errors).",
            (control, id, _, ct) => control.SendNowAsync(id, ct), CampaignStatus.Draft, CampaignStatus.Scheduled);
        campaigns.MapPost("/{id:long}/schedule", ScheduleAsync).RequireScope(ApiScopes.Campaigns)
            .WithName("ScheduleCampaign").WithSummary("Schedule a draft campaign (or move a scheduled one) to start at send_at")
            .WithDescription("send_at must be in the future. The campaign starts at that time even if every instance was down then " +
                             "(it starts when the first comes back). 422 when it cannot be sent as it is.")
            .Accepts<ScheduleRequest>("application/json").Produces<CampaignView>()
            .ApiErrors(400, 401, 403, 404, 409, 413, 415, 422, 429);
        Action(campaigns, "unschedule", "UnscheduleCampaign", "Unschedule a scheduled campaign (back to draft)", null,
            (control, id, _, ct) => control.UnscheduleAsync(id, ct), CampaignStatus.Scheduled);
        Action(campaigns, "pause", "PauseCampaign", "Pause a sending campaign",
            "No new message goes out until it is resumed; messages already on the wire finish.",
            (control, id, _, ct) => control.PauseAsync(id, ct: ct), CampaignStatus.Sending);
        Action(campaigns, "resume", "ResumeCampaign", "Resume a paused campaign", "422 when its SMTP account or domain is inactive.",
            (control, id, _, ct) => control.ResumeAsync(id, ct), CampaignStatus.Paused);
        Action(campaigns, "cancel", "CancelCampaign", "Cancel a scheduled, sending or paused campaign",
            "The recipients not sent to yet get nothing (their messages are cancelled).",
            (control, id, _, ct) => control.CancelAsync(id, ct), CampaignStatus.Scheduled, CampaignStatus.Sending, CampaignStatus.Paused);
        return api;
    }

    private delegate Task<ControlResult> ControlAction(CampaignControl control, long id, DateTime? at, CancellationToken ct);

    private static void Action(RouteGroupBuilder campaigns, string verb, string operationId, string summary, string? description,
        ControlAction action, params CampaignStatus[] allowedFrom)
    {
        var builder = campaigns.MapPost("/{id:long}/" + verb, (long id, HttpContext http, SendCraftDbContext db, CampaignControl control,
                Idempotency idempotency, TimeProvider clock) => RunAsync(id, http, [], db, control, idempotency, clock, action, null, allowedFrom))
            .RequireScope(ApiScopes.Campaigns).WithName(operationId).WithSummary(summary).WithMetadata(new AcceptsIdempotencyKey())
            .Produces<CampaignView>().ApiErrors(401, 403, 404, 409, 422, 429);
        if (description is not null) builder.WithDescription(description);
    }

    private static async Task<IResult> ScheduleAsync(long id, HttpContext http, SendCraftDbContext db, CampaignControl control,
        Idempotency idempotency, TimeProvider clock)
    {
        var body = await ApiJson.ReadAsync<ScheduleRequest>(http);
        if (body.Problem is not null) return body.Problem;
        if (body.Value!.SendAt is not { } sendAt)
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["send_at"] = ["Required: when to start, e.g. 2026-12-24T08:00:00Z."] });
        var at = sendAt.UtcDateTime;
        if (at <= clock.GetUtcNow().UtcDateTime)
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["send_at"] = ["That time has passed: give a time in the future, or use /send."] });
        return await RunAsync(id, http, body.Raw, db, control, idempotency, clock,
            (c, campaignId, when, ct) => c.ScheduleAsync(campaignId, when, "UTC", ct), at, [CampaignStatus.Draft, CampaignStatus.Scheduled]);
    }

    /// <summary>
    /// One CampaignControl action. It commits on its own (Quartz must see the new state), so the Idempotency-Key is
    /// claimed before it rather than stored in its transaction. A refusal is told apart by the status afterwards: not
    /// one the action starts from is 409; otherwise the campaign itself is the problem, 422.
    /// </summary>
    private static async Task<IResult> RunAsync(long id, HttpContext http, byte[] body, SendCraftDbContext db, CampaignControl control,
        Idempotency idempotency, TimeProvider clock, ControlAction action, DateTime? at, CampaignStatus[] allowedFrom) =>
        await idempotency.RunCommittedAsync(http, body, async ct =>
        {
            if (!await db.Campaigns.AnyAsync(c => c.Id == id, ct)) return ApiAnswer.Fail(ApiProblems.NotFound("campaign"));
            var result = await action(control, id, at, ct);
            if (!result.Succeeded)
            {
                var status = await db.Campaigns.AsNoTracking().Where(c => c.Id == id).Select(c => c.Status).FirstAsync(ct);
                if (!allowedFrom.Contains(status))
                    return ApiAnswer.Fail(WrongStatus(status, $"{string.Join(" ", result.Problems)} This campaign is {CampaignStatusNames.Of(status)}."));
                return ApiAnswer.Fail(ApiProblems.Result(StatusCodes.Status422UnprocessableEntity,
                    "The campaign cannot do this as it is: " + string.Join(" ", result.Problems),
                    new Dictionary<string, object?> { ["problems"] = result.Problems, ["campaign_status"] = CampaignStatusNames.Of(status) }));
            }
            return new ApiAnswer(StatusCodes.Status200OK, await LoadAsync(db, id, clock, ct));
        });

    private static IResult WrongStatus(CampaignStatus status, string detail) =>
        ApiProblems.Result(StatusCodes.Status409Conflict, detail, new Dictionary<string, object?> { ["campaign_status"] = CampaignStatusNames.Of(status) });

    private static async Task<IResult> ListAsync(SendCraftDbContext db, string? status, string? cursor, string? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var (take, after) = ApiCursor.Read('k', cursor, limit, 25, 100, errors);
        CampaignStatus? wanted = null;
        if (status is not null && (wanted = CampaignStatusNames.Parse(status)) is null) errors["status"] = [$"One of: {CampaignStatusNames.Choices}."];
        if (errors.Count > 0) return ApiProblems.Validation(errors);
        // Keyset on Id, newest first, on the (WorkspaceId, Id) index the campaigns page pages on.
        var query = db.Campaigns.AsNoTracking();
        if (wanted is { } s) query = query.Where(c => c.Status == s);
        if (after is { } a) query = query.Where(c => c.Id < a);
        var rows = await query.OrderByDescending(c => c.Id).Take(take + 1)
            .Select(c => new { c.Id, c.Name, c.Status, c.Subject, c.ScheduledAt, c.CreatedAt, c.StartedAt, c.FinishedAt, c.Expanded }).ToListAsync(ct);
        var data = rows.Take(take).Select(c => new CampaignSummary(c.Id, c.Name, CampaignStatusNames.Of(c.Status), c.Subject, c.ScheduledAt,
            c.CreatedAt, c.StartedAt, c.FinishedAt, c.Expanded)).ToList();
        return Results.Json(new CampaignPage(data, rows.Count > take ? ApiCursor.Encode('k', rows[take - 1].Id) : null), ApiJson.Options);
    }

    private static async Task<CampaignView?> LoadAsync(SendCraftDbContext db, long id, TimeProvider clock, CancellationToken ct)
    {
        var c = await db.Campaigns.AsNoTracking().Include(x => x.Lists).FirstOrDefaultAsync(x => x.Id == id, ct);
        if (c is null) return null;
        var totals = await CampaignTotals.ForAsync(db, c, ct);
        var p = CampaignProgressViews.From(c, totals, clock.GetUtcNow().UtcDateTime);
        var progress = new CampaignProgressDto(p.Total, p.Expanded, p.Queued, p.Sending, p.Sent, p.Deferred, p.Failed, p.Bounced, p.Suppressed,
            p.Cancelled, p.Skipped, Math.Round(p.PerMinute, 1), p.Eta is { } eta ? (long)Math.Ceiling(eta.TotalSeconds) : null);
        return new CampaignView(c.Id, c.Name, CampaignStatusNames.Of(c.Status), c.StatusReason, c.Subject, c.HtmlBody, c.TextBody, c.TemplateId,
            c.SmtpAccountId, c.RatePerMinute, c.TrackOpens, c.TrackClicks, c.Lists.Where(l => !l.Excluded).Select(l => l.ListId).Order().ToList(),
            c.Lists.Where(l => l.Excluded).Select(l => l.ListId).Order().ToList(), c.ScheduledAt, c.CreatedAt, c.UpdatedAt, c.StartedAt,
            c.PausedAt, c.FinishedAt, progress);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, SendCraftDbContext db, TemplateRenderer renderer, Idempotency idempotency, TimeProvider clock)
    {
        var body = await ApiJson.ReadAsync<CampaignRequest>(http);
        if (body.Problem is not null) return body.Problem;
        return await idempotency.RunAsync(http, body.Raw, async ct =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var campaign = new Campaign { CreatedAt = now };
            if (await ApplyAsync(campaign, body.Value!, db, renderer, isNew: true, ct) is { } problem) return ApiAnswer.Fail(problem);
            campaign.UpdatedAt = now;
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync(ct);
            return new ApiAnswer(StatusCodes.Status201Created, await LoadAsync(db, campaign.Id, clock, ct));
        });
    }

    private static async Task<IResult> PatchAsync(long id, HttpContext http, SendCraftDbContext db, TemplateRenderer renderer, Idempotency idempotency, TimeProvider clock)
    {
        var body = await ApiJson.ReadAsync<CampaignRequest>(http);
        if (body.Problem is not null) return body.Problem;
        return await idempotency.RunAsync(http, body.Raw, async ct =>
        {
            var campaign = await db.Campaigns.Include(c => c.Lists).FirstOrDefaultAsync(c => c.Id == id, ct);
            if (campaign is null) return ApiAnswer.Fail(ApiProblems.NotFound("campaign"));
            if (campaign.Status != CampaignStatus.Draft)
            {
                return ApiAnswer.Fail(WrongStatus(campaign.Status, $"Only a draft campaign can be changed; this one is {CampaignStatusNames.Of(campaign.Status)}" +
                    (campaign.Status == CampaignStatus.Scheduled ? " (unschedule it first)." : ".")));
            }
            if (await ApplyAsync(campaign, body.Value!, db, renderer, isNew: false, ct) is { } problem) return ApiAnswer.Fail(problem);
            campaign.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
            return new ApiAnswer(StatusCodes.Status200OK, await LoadAsync(db, id, clock, ct));
        });
    }

    /// <summary>
    /// Lays the request over the campaign (every field for a new one, the fields given for a change) and checks the result
    /// with the editor's rules. Returns the problem to answer, or null with the campaign changed (not saved).
    /// </summary>
    private static async Task<IResult?> ApplyAsync(Campaign campaign, CampaignRequest r, SendCraftDbContext db, TemplateRenderer renderer, bool isNew, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = errors.TryGetValue(field, out var m) ? [.. m, message] : [message];

        if (r.TemplateId is { } templateId)
        {
            var template = await db.EmailTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == templateId, ct);
            if (template is null) Add("template_id", "No template with this id in this workspace.");
            else
            {
                campaign.TemplateId = template.Id;
                campaign.Subject = template.Subject;
                campaign.HtmlBody = template.HtmlBody;
                campaign.TextBody = template.TextBody;
                if (r.Name is null && isNew) campaign.Name = template.Name;
            }
        }
        if (r.Name is not null) campaign.Name = r.Name.Trim();
        if (r.Subject is not null) campaign.Subject = r.Subject.Trim();
        if (r.Html is not null) campaign.HtmlBody = r.Html;
        if (r.Text is not null) campaign.TextBody = r.Text;
        if (r.SmtpAccountId is not null) campaign.SmtpAccountId = r.SmtpAccountId;
        if (r.RatePerMinute is { } rate)
        {
            if (rate is < 0 or > 1_000_000) Add("rate_per_minute", "Messages per minute, from 1 to 1,000,000 (or 0 for no limit).");
            else campaign.RatePerMinute = rate == 0 ? null : rate;
        }
        if (r.TrackOpens is { } opens) campaign.TrackOpens = opens;
        if (r.TrackClicks is { } clicks) campaign.TrackClicks = clicks;
        var included = (r.ListIds ?? campaign.Lists.Where(l => !l.Excluded).Select(l => l.ListId).ToList()).Distinct().ToList();
        var excluded = (r.ExcludedListIds ?? campaign.Lists.Where(l => l.Excluded).Select(l => l.ListId).ToList()).Distinct().ToList();

        // The editor's data annotations: name and subject required and bounded.
        if (campaign.Name.Length == 0) Add("name", "Give the campaign a name.");
        else if (campaign.Name.Length > CampaignConfiguration.NameMaxLength) Add("name", $"At most {CampaignConfiguration.NameMaxLength} characters.");
        if (campaign.Subject.Length == 0) Add("subject", "The subject is empty.");
        else if (campaign.Subject.Length > EmailTemplate.SubjectMaxLength) Add("subject", $"At most {EmailTemplate.SubjectMaxLength} characters.");
        foreach (var problem in await CampaignDraftRules.CheckAsync(db, renderer, new TemplateSource(campaign.Subject, campaign.HtmlBody, campaign.TextBody),
                     campaign.SmtpAccountId, included, excluded, ct))
        {
            Add(problem.Field switch
            {
                CampaignDraftRules.Field.Subject => "subject",
                CampaignDraftRules.Field.Html => "html",
                CampaignDraftRules.Field.Text => "text",
                CampaignDraftRules.Field.SmtpAccount => "smtp_account_id",
                CampaignDraftRules.Field.Included => "list_ids",
                _ => "excluded_list_ids",
            }, problem.Message);
        }
        if (errors.Count > 0) return ApiProblems.Validation(errors);

        if (isNew || r.ListIds is not null || r.ExcludedListIds is not null)
        {
            campaign.Lists.Clear();
            campaign.Lists.AddRange(included.Select(l => new CampaignList { ListId = l })
                .Concat(excluded.Select(l => new CampaignList { ListId = l, Excluded = true })));
        }
        return null;
    }
}
