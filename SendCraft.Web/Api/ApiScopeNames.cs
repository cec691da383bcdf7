using SendCraft.Web.Data;

namespace SendCraft.Web.Api;

/// <summary>The scope strings of the API ("send", "messages:read", …) and their flags.</summary>
public static class ApiScopeNames
{
    public static readonly IReadOnlyList<(ApiScopes Scope, string Name, string Description)> All =
    [
        (ApiScopes.Send, "send", "Send messages (POST /messages, /messages/batch, cancel)"),
        (ApiScopes.MessagesRead, "messages:read", "Read messages and their status"),
        (ApiScopes.Contacts, "contacts", "Contacts, lists and suppressions"),
        (ApiScopes.Campaigns, "campaigns", "Campaigns"),
        (ApiScopes.Templates, "templates", "Read templates and render previews"),
        (ApiScopes.Domains, "domains", "Read sending domains and check their DNS"),
        (ApiScopes.Webhooks, "webhooks", "Webhook endpoints"),
        (ApiScopes.Admin, "admin", "Everything above"),
    ];

    public static string NameOf(ApiScopes scope) => All.First(s => s.Scope == scope).Name;

    public static IEnumerable<string> Names(ApiScopes scopes) => All.Where(s => scopes.HasFlag(s.Scope)).Select(s => s.Name);

    /// <summary>True when <paramref name="granted"/> includes <paramref name="needed"/>; admin includes every scope.</summary>
    public static bool Allows(ApiScopes granted, ApiScopes needed) => granted.HasFlag(ApiScopes.Admin) || granted.HasFlag(needed);
}
