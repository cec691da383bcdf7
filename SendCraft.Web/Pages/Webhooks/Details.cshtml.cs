using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Sending;
using SendCraft.Web.Webhooks;

namespace SendCraft.Web.Pages.Webhooks;

/// <summary>
/// One endpoint: its settings, secret rotation (the new secret shown once), "Send test event", and its delivery log
/// (newest first, keyset-paged by id, so page 1,000 costs what page 1 does) with manual redelivery.
/// </summary>
public sealed class DetailsModel(SendCraftDbContext db, SecretProtector secrets, WebhookEvents events, TimeProvider clock) : PageModel
{
    public const int PageSize = 50;

    public sealed record DeliveryRow(long Id, string EventId, string EventType, WebhookDeliveryStatus Status, int Attempts, DateTime CreatedAt,
        DateTime DueAt, DateTime? LastAttemptAt, int? ResponseCode, int? ResponseMs, string? ResponseBody, string? Error, long? RedeliveryOf, long EndpointId);

    public WebhookEndpoint Endpoint { get; private set; } = null!;
    public IReadOnlyList<DeliveryRow> Deliveries { get; private set; } = [];
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }
    public long? NextBefore { get; private set; }
    public SecretPanel? RotatedSecret { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id)
    {
        if (!await LoadAsync(id)) return NotFound();
        return Page();
    }

    /// <summary>A page of the log (paging links, and the refresh after a test event or redelivery).</summary>
    public async Task<IActionResult> OnGetDeliveriesAsync(long id)
    {
        if (!await LoadAsync(id)) return NotFound();
        Response.Headers.Vary = "HX-Request";
        return Request.IsHtmx() ? Partial("_DeliveryList", this) : Page();
    }

    /// <summary>A new secret replaces the old one at once (receivers must switch to it); it is shown once.</summary>
    public async Task<IActionResult> OnPostRotateAsync(long id)
    {
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id);
        if (endpoint is null) return NotFound();
        var secret = WebhookSignature.NewSecret();
        endpoint.SecretProtected = secrets.Protect(secret);
        endpoint.SecretRotatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync();
        var panel = new SecretPanel(id, secret);
        if (!Request.IsHtmx())
        {
            await LoadAsync(id);
            RotatedSecret = panel;
            return Page();
        }
        Response.Toast("A new signing secret was made; the old one no longer signs requests.");
        return Partial("_SecretOnce", panel);
    }

    public async Task<IActionResult> OnPostTestAsync(long id)
    {
        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id);
        if (endpoint is null) return NotFound();
        if (!endpoint.IsEnabled) return Answer(id, "The endpoint is disabled: enable it before sending a test event.", isError: true);
        await events.EnqueueForEndpointAsync(endpoint, WebhookEventTypes.Test,
            new { endpoint_id = endpoint.Id, message = "A test event from SendCraft. Verify its signature as you would any other event." });
        return Answer(id, "A test event was queued; its delivery appears in the log below.", isError: false);
    }

    /// <summary>Queues the event again as a new delivery with the same webhook-id (receivers de-duplicate on it).</summary>
    public async Task<IActionResult> OnPostRedeliverAsync(long id, long deliveryId)
    {
        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id);
        var original = await db.WebhookDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deliveryId && d.EndpointId == id);
        if (endpoint is null || original is null) return NotFound();
        if (!endpoint.IsEnabled) return Answer(id, "The endpoint is disabled: enable it before redelivering.", isError: true);
        var now = clock.GetUtcNow().UtcDateTime;
        db.WebhookDeliveries.Add(new WebhookDelivery
        {
            EndpointId = id, EventId = original.EventId, EventType = original.EventType, Payload = original.Payload,
            Status = WebhookDeliveryStatus.Pending, DueAt = now, CreatedAt = now, RedeliveryOf = original.Id,
        });
        await db.SaveChangesAsync();
        HttpContext.RequestServices.GetRequiredService<WebhookSignal>().Notify();
        return Answer(id, $"Event {original.EventId} was queued for redelivery.", isError: false);
    }

    private IActionResult Answer(long id, string message, bool isError)
    {
        if (!Request.IsHtmx())
        {
            TempData[isError ? "FlashError" : "Flash"] = message;
            return Redirect($"/webhooks/{id}");
        }
        Response.Toast(message, isError, isError ? [] : ["deliveries-changed"]);
        return new NoContentResult();
    }

    private async Task<bool> LoadAsync(long id)
    {
        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id);
        if (endpoint is null) return false;
        Endpoint = endpoint;
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == id);
        if (Before is { } before) query = query.Where(d => d.Id < before);
        var rows = await query.OrderByDescending(d => d.Id).Take(PageSize + 1)
            .Select(d => new DeliveryRow(d.Id, d.EventId, d.EventType, d.Status, d.Attempts, d.CreatedAt, d.DueAt, d.LastAttemptAt,
                d.ResponseCode, d.ResponseMs, d.ResponseBody, d.Error, d.RedeliveryOf, d.EndpointId))
            .ToListAsync();
        NextBefore = rows.Count > PageSize ? rows[PageSize - 1].Id : null;
        Deliveries = rows.Take(PageSize).ToList();
        return true;
    }
}
