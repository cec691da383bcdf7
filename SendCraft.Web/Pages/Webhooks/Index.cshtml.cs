using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Webhooks;

namespace SendCraft.Web.Pages.Webhooks;

/// <summary>
/// The workspace's webhook endpoints: list, enable/disable, delete (with its delivery log). The form is EditModel, the
/// log and the secret are on DetailsModel. Admins only, reads included (the folder rule): URLs can carry tokens.
/// </summary>
public sealed class IndexModel(SendCraftDbContext db, WebhookSubscriptions subscriptions) : PageModel
{
    public sealed record EndpointRow(long Id, string Url, string? Description, string[] EventTypes, bool IsEnabled, int ConsecutiveFailures,
        DateTime? LastSuccessAt, DateTime? LastFailureAt, DateTime? DisabledAt, string? DisabledReason);

    public IReadOnlyList<EndpointRow> Endpoints { get; private set; } = [];
    public NavArea Area => Navigation.Areas.Single(a => a.Path == "/webhooks");

    public async Task OnGetAsync() => Endpoints = await LoadAsync();

    /// <summary>The list again, after the editor saved (HX-Trigger endpoints-changed).</summary>
    public async Task<IActionResult> OnGetListAsync()
    {
        Endpoints = await LoadAsync();
        Response.Headers.Vary = "HX-Request";
        return Partial("_EndpointList", this);
    }

    public IActionResult OnGetCloseEditor() => Request.IsHtmx() ? Content("", "text/html") : Redirect("/webhooks");

    public async Task<IActionResult> OnPostToggleAsync(long id)
    {
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id);
        if (endpoint is null) return NotFound();
        endpoint.IsEnabled = !endpoint.IsEnabled;
        if (endpoint.IsEnabled)
        {
            endpoint.ConsecutiveFailures = 0;
            endpoint.DisabledAt = null;
            endpoint.DisabledReason = null;
        }
        await db.SaveChangesAsync();
        subscriptions.Invalidate();
        var message = $"{endpoint.Url} is {(endpoint.IsEnabled ? "enabled" : "disabled")}.";
        if (!Request.IsHtmx())
        {
            TempData["Flash"] = message;
            return Redirect("/webhooks");
        }
        Response.Toast(message);
        return Partial("_EndpointRow", (await LoadAsync(id)).Single());
    }

    /// <summary>Deletes the endpoint and its delivery log (cascade); queued deliveries to it are dropped with it.</summary>
    public async Task<IActionResult> OnPostDeleteAsync(long id)
    {
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id);
        if (endpoint is null) return NotFound();
        db.WebhookEndpoints.Remove(endpoint);
        await db.SaveChangesAsync();
        subscriptions.Invalidate();
        return this.RowDeleted($"Webhook endpoint {endpoint.Url} was deleted.", Redirect("/webhooks"));
    }

    private async Task<IReadOnlyList<EndpointRow>> LoadAsync(long? id = null)
    {
        var query = db.WebhookEndpoints.AsNoTracking();
        if (id is not null) query = query.Where(e => e.Id == id);
        var rows = await query.OrderBy(e => e.Id).ToListAsync();
        return rows.Select(e => new EndpointRow(e.Id, e.Url, e.Description, WebhookEventTypes.Parse(e.EventTypes), e.IsEnabled, e.ConsecutiveFailures,
            e.LastSuccessAt, e.LastFailureAt, e.DisabledAt, e.DisabledReason)).ToList();
    }
}
