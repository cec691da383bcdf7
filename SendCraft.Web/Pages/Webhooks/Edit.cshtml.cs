using System.ComponentModel.DataAnnotations;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Sending;
using SendCraft.Web.Webhooks;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Webhooks;

/// <summary>
/// Create or edit a webhook endpoint. htmx loads the form into the list page (#endpoint-editor); without JavaScript it
/// is a page of its own. The URL passes the SSRF guard before it is saved. A new endpoint's signing secret is shown
/// once, in the answer to the save, and only stored encrypted.
/// </summary>
/// <summary>A signing secret in the one answer that shows it (_SecretOnce).</summary>
public sealed record SecretPanel(long EndpointId, string Secret);

[RequiresRole(WorkspaceRole.Admin)]
public sealed class EditModel(SendCraftDbContext db, SecretProtector secrets, AddressGuard guard, WebhookSubscriptions subscriptions, TimeProvider clock) : PageModel
{
    private static readonly TimeSpan DnsTimeout = TimeSpan.FromSeconds(5);

    [BindProperty] public EndpointInput Input { get; set; } = new();
    public long? Id { get; private set; }
    /// <summary>Set only in the answer that created the endpoint: the secret, shown once.</summary>
    public string? NewSecret { get; private set; }

    public async Task<IActionResult> OnGetAsync(long? id)
    {
        if (id is not null)
        {
            var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id);
            if (endpoint is null) return NotFound();
            Id = id;
            Input = EndpointInput.From(endpoint);
        }
        return Show();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        WebhookEndpoint? endpoint = null;
        if (id is not null)
        {
            endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
            if (endpoint is null) return NotFound();
            Id = id;
        }
        var types = (Input.EventTypes ?? []).Where(WebhookEventTypes.IsKnown).ToList();
        if (types.Count == 0) ModelState.AddModelError("Input.EventTypes", "Choose at least one event type.");
        var url = (Input.Url ?? "").Trim();
        if (ModelState.GetFieldValidationState("Input.Url") != Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid
            && await guard.CheckUrlAsync(url, DnsTimeout, ct) is { } problem)
            ModelState.AddModelError("Input.Url", problem);
        if (!ModelState.IsValid) return Show();

        string? secret = null;
        if (endpoint is null)
        {
            secret = WebhookSignature.NewSecret();
            endpoint = new WebhookEndpoint { SecretProtected = secrets.Protect(secret), CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.WebhookEndpoints.Add(endpoint);
        }
        endpoint.Url = url;
        endpoint.Description = string.IsNullOrWhiteSpace(Input.Description) ? null : Input.Description.Trim();
        endpoint.EventTypes = WebhookEventTypes.Format(types);
        if (Input.IsEnabled && !endpoint.IsEnabled)
        {
            // Enabled again by a person: the failure count starts over.
            endpoint.ConsecutiveFailures = 0;
            endpoint.DisabledAt = null;
            endpoint.DisabledReason = null;
        }
        endpoint.IsEnabled = Input.IsEnabled;
        await db.SaveChangesAsync(ct);
        subscriptions.Invalidate();

        if (secret is not null)
        {
            // The one time the secret is shown: in this answer, never again.
            Id = endpoint.Id;
            NewSecret = secret;
            if (!Request.IsHtmx()) return Page();
            Response.Toast($"Webhook endpoint {endpoint.Url} was added.", isError: false, "endpoints-changed");
            return Partial("_SecretOnce", new SecretPanel(endpoint.Id, secret));
        }
        var message = $"Webhook endpoint {endpoint.Url} was saved.";
        if (!Request.IsHtmx())
        {
            TempData["Flash"] = message;
            return Redirect("/webhooks");
        }
        Response.Toast(message, isError: false, "endpoints-changed");
        return Content("", "text/html");
    }

    private IActionResult Show()
    {
        if (!Request.IsHtmx()) return Page();
        Response.Headers.Vary = "HX-Request";
        return Partial("_EndpointForm", this);
    }

    public sealed class EndpointInput
    {
        [Required(ErrorMessage = "Enter the URL that receives the events."), StringLength(2000), Display(Name = "Endpoint URL")]
        public string? Url { get; set; }
        [StringLength(200)] public string? Description { get; set; }
        [Display(Name = "Events")] public List<string>? EventTypes { get; set; } = [];
        [Display(Name = "Enabled")] public bool IsEnabled { get; set; } = true;

        public static EndpointInput From(WebhookEndpoint e) => new()
        {
            Url = e.Url, Description = e.Description, EventTypes = WebhookEventTypes.Parse(e.EventTypes).ToList(), IsEnabled = e.IsEnabled,
        };
    }
}
