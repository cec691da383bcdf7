namespace SendCraft.Web.Data;

/// <summary>
/// One notice for one member of a workspace (campaign started or finished, import finished, …). INotifier writes one
/// row per member, so each member reads and marks their own. <see cref="Kind"/> is one of Realtime.NotificationKinds.
/// </summary>
public sealed class Notification : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public string UserId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Body { get; set; }
    /// <summary>A path in this app (starts with one "/"), or null.</summary>
    public string? Link { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime? ReadAt { get; set; }

    public const int KindMaxLength = 40, TitleMaxLength = 200, BodyMaxLength = 1000, LinkMaxLength = 500;
}
