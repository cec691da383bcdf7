using System.ComponentModel;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Templating;

namespace SendCraft.Web.Api;

public sealed record TemplateView(long Id, string Name, string Type, string Subject, string Html, string Text, bool IsActive, int Version, DateTime UpdatedAt);
public sealed record TemplateSummary(long Id, string Name, string Type, string Subject, bool IsActive, DateTime UpdatedAt);
public sealed class RenderRequest
{
    [Description("Values for the template's {{ variables }}; the template's sample data when omitted.")]
    public Dictionary<string, JsonElement>? Variables { get; set; }
}
public sealed record RenderedView(string Subject, string Html, string Text);

public sealed record DnsRecordView(string Type, string Name, string Value);
public sealed record DomainView(long Id, string Name, bool IsActive, string DkimSelector, IReadOnlyList<DnsRecordView> Records,
    DateTime? DnsCheckedAt, IReadOnlyList<DnsCheckLine> DnsCheck);
public sealed record DnsCheckLine(bool Ok, string Text);

public sealed class SuppressionRequest
{
    public string? Email { get; set; }
    public string? Note { get; set; }
}
public sealed record SuppressionView(long Id, string Email, string Reason, string? Note, DateTime CreatedAt);
public sealed record SuppressionList(IReadOnlyList<SuppressionView> Data, string? NextCursor);

/// <summary>/api/v1/templates (read, render preview), /api/v1/domains (read, DNS check) and /api/v1/suppressions.</summary>
public static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalog(this RouteGroupBuilder api)
    {
        var templates = api.MapGroup("/templates").WithTags("Catalog");
        templates.MapGet("", async (SendCraftDbContext db, CancellationToken ct) =>
                Results.Json(await db.EmailTemplates.AsNoTracking().OrderBy(t => t.Name)
                    .Select(t => new TemplateSummary(t.Id, t.Name, t.Type.ToString(), t.Subject, t.IsActive, t.UpdatedAt)).ToListAsync(ct), ApiJson.Options))
            .RequireScope(ApiScopes.Templates).WithName("ListTemplates").WithSummary("List the workspace's templates")
            .Produces<List<TemplateSummary>>().ApiErrors(401, 403, 429);
        templates.MapGet("/{id:long}", async (long id, SendCraftDbContext db, CancellationToken ct) =>
                await db.EmailTemplates.AsNoTracking().Where(t => t.Id == id)
                    .Select(t => new TemplateView(t.Id, t.Name, t.Type.ToString(), t.Subject, t.HtmlBody, t.TextBody, t.IsActive, t.Version, t.UpdatedAt))
                    .FirstOrDefaultAsync(ct) is { } view ? Results.Json(view, ApiJson.Options) : ApiProblems.NotFound("template"))
            .RequireScope(ApiScopes.Templates).WithName("GetTemplate").WithSummary("Get a template (Liquid source)")
            .Produces<TemplateView>().ApiErrors(401, 403, 404, 429);
        templates.MapPost("/{id:long}/render", RenderAsync)
            .RequireScope(ApiScopes.Templates).WithName("RenderTemplate").WithSummary("Render a template with variables (preview; sends nothing)")
            .Accepts<RenderRequest>("application/json").Produces<RenderedView>().ApiErrors(400, 401, 403, 404, 413, 415, 429);

        var domains = api.MapGroup("/domains").WithTags("Catalog");
        domains.MapGet("", async (SendCraftDbContext db, CancellationToken ct) =>
                Results.Json((await db.SendingDomains.AsNoTracking().OrderBy(d => d.Name).ToListAsync(ct)).Select(d => ToView(d, null)).ToList(), ApiJson.Options))
            .RequireScope(ApiScopes.Domains).WithName("ListDomains").WithSummary("List the workspace's sending domains")
            .Produces<List<DomainView>>().ApiErrors(401, 403, 429);
        domains.MapGet("/{id:long}", async (long id, SendCraftDbContext db, CancellationToken ct) =>
                await LoadDomainAsync(db, id, tracking: false, ct) is { } d ? Results.Json(ToView(d.Domain, d.Records), ApiJson.Options) : ApiProblems.NotFound("domain"))
            .RequireScope(ApiScopes.Domains).WithName("GetDomain").WithSummary("Get a domain with the DNS records to publish and the last check")
            .Produces<DomainView>().ApiErrors(401, 403, 404, 429);
        domains.MapPost("/{id:long}/check", async (long id, SendCraftDbContext db, DomainDnsChecker checker, HttpContext http) =>
            {
                if (await LoadDomainAsync(db, id, tracking: true, http.RequestAborted) is not { } d) return ApiProblems.NotFound("domain");
                await checker.CheckAsync(d.Domain, d.Records, http.RequestAborted);
                await db.SaveChangesAsync(http.RequestAborted);
                return Results.Json(ToView(d.Domain, d.Records), ApiJson.Options);
            })
            .RequireScope(ApiScopes.Domains).WithName("CheckDomain").WithSummary("Look up the domain's DKIM, SPF and DMARC records now")
            .Produces<DomainView>().ApiErrors(401, 403, 404, 429);

        var suppressions = api.MapGroup("/suppressions").WithTags("Contacts");
        suppressions.MapGet("", ListSuppressionsAsync)
            .RequireScope(ApiScopes.Contacts).WithName("ListSuppressions").WithSummary("List suppressed addresses, by address")
            .Produces<SuppressionList>().ApiErrors(400, 401, 403, 429);
        suppressions.MapPost("", AddSuppressionAsync)
            .RequireScope(ApiScopes.Contacts).WithName("AddSuppression").WithSummary("Suppress an address (never sent to again from this workspace)")
            .Accepts<SuppressionRequest>("application/json").Produces<SuppressionView>(StatusCodes.Status201Created).ApiErrors(400, 401, 403, 409, 413, 415, 429);
        suppressions.MapDelete("/{email}", async (string email, SendCraftDbContext db, CancellationToken ct) =>
            {
                var normalized = email.Trim().ToLowerInvariant();
                var deleted = await db.Suppressions.Where(s => s.Email == normalized).ExecuteDeleteAsync(ct);
                return deleted == 0 ? ApiProblems.NotFound("suppression") : Results.NoContent();
            })
            .RequireScope(ApiScopes.Contacts).WithName("RemoveSuppression").WithSummary("Remove an address from the suppression list")
            .Produces(StatusCodes.Status204NoContent).ApiErrors(401, 403, 404, 429);
        return api;
    }

    private static async Task<IResult> RenderAsync(long id, HttpContext http, SendCraftDbContext db, TemplateRenderer renderer)
    {
        var body = await ApiJson.ReadAsync<RenderRequest>(http);
        if (body.Problem is not null) return body.Problem;
        var template = await db.EmailTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, http.RequestAborted);
        if (template is null) return ApiProblems.NotFound("template");
        var json = body.Value!.Variables is null ? template.SampleData : JsonSerializer.Serialize(body.Value.Variables);
        var variables = SampleData.Parse(json, out _) ?? new Dictionary<string, object?>();
        try
        {
            var rendered = await renderer.RenderAsync(new TemplateVersion(template.Id, template.Version),
                new TemplateSource(template.Subject, template.HtmlBody, template.TextBody), new Dictionary<string, object?>(), variables);
            return Results.Json(new RenderedView(rendered.Subject, rendered.Html, rendered.Text), ApiJson.Options);
        }
        catch (TemplateSyntaxException e)
        {
            return ApiProblems.Result(StatusCodes.Status422UnprocessableEntity, "The template does not compile: " + string.Join("; ", e.Errors.Select(x => x.ToString())));
        }
    }

    private static async Task<(SendingDomain Domain, DomainDnsRecords Records)?> LoadDomainAsync(SendCraftDbContext db, long id, bool tracking, CancellationToken ct)
    {
        var query = tracking ? db.SendingDomains : db.SendingDomains.AsNoTracking();
        var domain = await query.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (domain is null) return null;
        // As the domain page does: SPF names the hosts of the domain's accounts, else of the workspace's.
        var hosts = await db.SmtpAccounts.AsNoTracking().Where(a => a.DomainId == id).Select(a => a.Host).Distinct().ToListAsync(ct);
        if (hosts.Count == 0) hosts = await db.SmtpAccounts.AsNoTracking().Select(a => a.Host).Distinct().ToListAsync(ct);
        return (domain, DomainDnsRecords.For(domain, hosts));
    }

    private static DomainView ToView(SendingDomain d, DomainDnsRecords? records) => new(d.Id, d.Name, d.IsActive, d.DkimSelector,
        records is null ? [] :
        [
            new("TXT", records.DkimName, records.DkimValue),
            new("TXT", records.SpfName, records.SpfValue),
            new("TXT", records.DmarcName, records.DmarcValue),
        ],
        d.DnsCheckedAt, DomainDnsChecker.Parse(d.DnsCheckResult).Select(l => new DnsCheckLine(l.Ok, l.Text)).ToList());

    private static async Task<IResult> ListSuppressionsAsync(SendCraftDbContext db, string? after, string? limit, CancellationToken ct)
    {
        var take = 100;
        if (limit is not null && (!int.TryParse(limit, out take) || take is < 1 or > 1000))
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["limit"] = ["An integer between 1 and 1000."] });
        var query = db.Suppressions.AsNoTracking();
        if (!string.IsNullOrEmpty(after)) { var a = after.ToLowerInvariant(); query = query.Where(s => string.Compare(s.Email, a) > 0); }
        var rows = await query.OrderBy(s => s.Email).Take(take + 1)
            .Select(s => new SuppressionView(s.Id, s.Email, s.Reason.ToString(), s.Detail, s.CreatedAt)).ToListAsync(ct);
        return Results.Json(new SuppressionList(rows.Take(take).Select(r => r with { Reason = JsonNamingPolicy.SnakeCaseLower.ConvertName(r.Reason) }).ToList(),
            rows.Count > take ? rows[take - 1].Email : null), ApiJson.Options);
    }

    private static async Task<IResult> AddSuppressionAsync(HttpContext http, SendCraftDbContext db, Idempotency idempotency, TimeProvider clock)
    {
        var body = await ApiJson.ReadAsync<SuppressionRequest>(http);
        if (body.Problem is not null) return body.Problem;
        var email = body.Value!.Email?.Trim().ToLowerInvariant() ?? "";
        var errors = new Dictionary<string, string[]>();
        if (email.Length is 0 or > 254 || !email.Contains('@') || !HeaderGuard.IsSafe(email) || email.Contains(' '))
            errors["email"] = ["A valid email address is required."];
        if (body.Value.Note is { Length: > 1000 }) errors["note"] = ["At most 1000 characters."];
        if (errors.Count > 0) return ApiProblems.Validation(errors);
        return await idempotency.RunAsync(http, body.Raw, async ct =>
        {
            if (await db.Suppressions.AnyAsync(s => s.Email == email, ct))
                return ApiAnswer.Fail(ApiProblems.Result(StatusCodes.Status409Conflict, $"{email} is already on the suppression list."));
            var suppression = new Suppression
            {
                Email = email, Reason = SuppressionReason.Manual, CreatedAt = clock.GetUtcNow().UtcDateTime,
                Detail = string.IsNullOrWhiteSpace(body.Value.Note) ? "Added through the API." : body.Value.Note.Trim(),
            };
            db.Suppressions.Add(suppression);
            await db.SaveChangesAsync(ct);
            return new ApiAnswer(StatusCodes.Status201Created,
                new SuppressionView(suppression.Id, suppression.Email, "manual", suppression.Detail, suppression.CreatedAt));
        });
    }
}
