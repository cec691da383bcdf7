namespace SendCraft.Web.Infrastructure;

/// <summary>One area of the product in the side navigation. Areas not built yet show an empty state.</summary>
public sealed record NavArea(string Title, string Path, string Icon, string EmptyStateText, bool Built);

public static class Navigation
{
    public static readonly IReadOnlyList<NavArea> Areas =
    [
        new("Dashboard", "/", "speedometer2", "Sending volume, delivery and engagement at a glance.", Built: true),
        new("Campaigns", "/campaigns", "megaphone", "Send a template to a list now or at a scheduled time, and follow its progress live.", Built: true),
        new("Templates", "/templates", "file-earmark-richtext", "Email templates with {{ variables }}, previewed as you type.", Built: true),
        new("Contacts", "/contacts", "person-lines-fill", "Your recipients and their attributes, imported from CSV at the scale of millions.", Built: true),
        new("Lists", "/lists", "collection", "Group contacts into lists that campaigns are sent to.", Built: true),
        new("Inbox", "/inbox", "inbox", "Replies to your mail, and the bounces and complaints that came back.", Built: true),
        new("Messages", "/messages", "envelope-paper", "Every message with its status, opens, clicks and unsubscribes.", Built: true),
        new("Domains", "/domains", "globe2", "Sending domains with DKIM keys and the DNS records to publish.", Built: true),
        new("SMTP accounts", "/smtp-accounts", "hdd-network", "The SMTP servers mail leaves through, with limits and a connection test.", Built: true),
        new("API keys", "/api-keys", "key", "Keys for the transactional REST API, scoped to this workspace.", Built: true),
        new("Webhooks", "/webhooks", "broadcast", "Signed HTTP callbacks to your systems for every message event, retried for 24 hours.", Built: true),
        new("Settings", "/Settings", "gear", "Workspace name, members, invitations and security.", Built: true),
    ];

    public static bool IsActive(NavArea area, PathString path) =>
        area.Path == "/" ? path == "/" : path.StartsWithSegments(area.Path, StringComparison.OrdinalIgnoreCase);
}
