namespace SendCraft.Web.Data;

/// <summary>
/// The original URLs behind a content's tracked links, in link-index order (what a click token's index points into).
/// One row per content (MessageId 0, the baseline: the links as the first message of the content was rendered), plus
/// one row per message whose rendered links differ from that baseline (personalized links such as
/// <c>https://shop/?u={{ id }}</c>). Mail without personalized links costs one row per content, not per message.
/// Written before the message is transmitted, so a link in a sent message always resolves.
/// </summary>
public sealed class TrackedLinkSet : ITenantOwned
{
    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public long ContentId { get; set; }
    /// <summary>0 for the content's baseline; otherwise the outbox row (OutboundMessage.Id) whose links differ.</summary>
    public long MessageId { get; set; }
    /// <summary>A JSON array of the absolute URLs, index = link index.</summary>
    public string UrlsJson { get; set; } = "[]";
}
