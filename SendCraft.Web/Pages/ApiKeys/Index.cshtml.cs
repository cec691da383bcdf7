using System.ComponentModel.DataAnnotations;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Api;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.ApiKeys;

/// <summary>
/// The workspace's API keys: list, create (the secret is shown once, in the answer to the create request, and only its
/// SHA-256 is stored), revoke with confirmation. Admins and owners only, reads included (folder rule in
/// WorkspaceRoleRules): a key can send and read all of the workspace's mail.
/// </summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace current, TimeProvider clock, ApiKeyAuthenticator authenticator) : PageModel
{
    public sealed record Row(long Id, string Name, string Prefix, ApiScopes Scopes, bool IsSandbox, DateTime? ExpiresAt,
        int? RateLimitPerSecond, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt)
    {
        public string State(DateTime now) => RevokedAt is not null ? "revoked" : ExpiresAt is { } e && e <= now ? "expired" : "active";
    }

    [BindProperty] public KeyInput Input { get; set; } = new();
    public IReadOnlyList<Row> Rows { get; private set; } = [];
    /// <summary>The new key's secret, set only in the answer to a successful create.</summary>
    public string? CreatedSecret { get; private set; }
    public string? CreatedName { get; private set; }
    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnGetListAsync()
    {
        await LoadAsync();
        Response.Headers.Vary = "HX-Request";
        return Partial("_KeyList", this);
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        var scopes = ApiScopes.None;
        foreach (var name in Input.Scopes ?? [])
        {
            var match = ApiScopeNames.All.FirstOrDefault(s => s.Name == name);
            if (match.Name is null) ModelState.AddModelError("Input.Scopes", $"Unknown scope “{name}”.");
            else scopes |= match.Scope;
        }
        if (scopes == ApiScopes.None && ModelState.IsValid) ModelState.AddModelError("Input.Scopes", "Choose at least one scope.");
        DateTime? expires = Input.ExpiresOn is { } day ? day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(1) : null;
        if (expires is { } e && e <= Now) ModelState.AddModelError("Input.ExpiresOn", "The expiry date must be in the future.");

        if (!ModelState.IsValid)
        {
            if (Request.IsHtmx())
            {
                Response.Headers.Vary = "HX-Request";
                return Partial("_KeyForm", this);
            }
            await LoadAsync();
            return Page();
        }

        var secret = ApiKeySecrets.Generate(Input.Sandbox);
        db.ApiKeys.Add(new ApiKey
        {
            Name = Input.Name!.Trim(),
            Prefix = ApiKeySecrets.VisiblePrefix(secret),
            SecretHash = ApiKeySecrets.Hash(secret),
            Scopes = scopes,
            IsSandbox = Input.Sandbox,
            ExpiresAt = expires,
            RateLimitPerSecond = Input.RateLimitPerSecond,
            CreatedAt = Now,
            CreatedByUserId = current.UserId,
        });
        await db.SaveChangesAsync();

        // The secret goes into this one answer and nowhere else (not TempData, not a log, not the database).
        Response.Headers.CacheControl = "no-store";
        CreatedSecret = secret;
        CreatedName = Input.Name.Trim();
        Input = new KeyInput();
        ModelState.Clear();
        if (Request.IsHtmx())
        {
            Response.Toast($"API key “{CreatedName}” created. Copy it now: it is not shown again.", isError: false, "api-keys-changed");
            return Partial("_KeyForm", this);
        }
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id);
        if (key is null) return NotFound();
        key.RevokedAt ??= Now;
        await db.SaveChangesAsync();
        authenticator.Forget();
        var message = $"API key “{key.Name}” was revoked: requests with it are refused from now on.";
        if (!Request.IsHtmx())
        {
            TempData["Flash"] = message;
            return Redirect("/api-keys");
        }
        Response.Toast(message, isError: false);
        return Partial("_KeyRow", ToRow(key));
    }

    private async Task LoadAsync()
    {
        Rows = await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.Id)
            .Select(k => new Row(k.Id, k.Name, k.Prefix, k.Scopes, k.IsSandbox, k.ExpiresAt, k.RateLimitPerSecond, k.CreatedAt, k.LastUsedAt, k.RevokedAt))
            .ToListAsync();
    }

    private static Row ToRow(ApiKey k) =>
        new(k.Id, k.Name, k.Prefix, k.Scopes, k.IsSandbox, k.ExpiresAt, k.RateLimitPerSecond, k.CreatedAt, k.LastUsedAt, k.RevokedAt);

    public sealed class KeyInput
    {
        [Required(ErrorMessage = "Give the key a name, e.g. the system that will use it."), StringLength(100)]
        [Display(Name = "Name")] public string? Name { get; set; }
        [Display(Name = "Scopes")] public List<string>? Scopes { get; set; } = ["send"];
        [Display(Name = "Sandbox key (accepted and logged, never sent)")] public bool Sandbox { get; set; }
        [Display(Name = "Expires after (optional)")] public DateOnly? ExpiresOn { get; set; }
        [Range(1, 100_000, ErrorMessage = "Between 1 and 100,000 requests per second.")]
        [Display(Name = "Rate limit, requests/second (optional)")] public int? RateLimitPerSecond { get; set; }
    }
}
