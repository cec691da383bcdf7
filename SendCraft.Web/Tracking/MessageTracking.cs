using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;

namespace SendCraft.Web.Tracking;

/// <summary>
/// Applies open and click tracking to a message as it is built for sending (BatchSender, right before MimeBuilder):
/// links of the HTML part become <c>{base}/t/c/&lt;token&gt;</c>, a pixel <c>{base}/t/o/&lt;token&gt;</c> is added, and
/// the original URLs are stored (<see cref="TrackedLinks"/>) before the message leaves. The switches are the content's
/// (<see cref="MessageContent.TrackOpens"/>, <see cref="MessageContent.TrackClicks"/>).
/// </summary>
public sealed class MessageTracking(MessageTokens tokens, TrackedLinks links, Unsubscribe.UnsubscribeLinks unsubscribe, PublicAddress publicAddress, TimeProvider clock)
{
    /// <param name="message">The outbox row; its Content carries the switches.</param>
    /// <param name="content">What is about to be built: the stored content or its per-recipient rendering.</param>
    /// <returns>
    /// <paramref name="content"/> itself when nothing is tracked, else a copy with Id 0: the tracked body holds this
    /// message's own tokens, so the per-connection body cache (keyed by content id, see MimeBuilder.Build) must never
    /// hand it to another message.
    /// </returns>
    public async ValueTask<MessageContent> ApplyAsync(OutboundMessage message, MessageContent content, CancellationToken ct = default)
    {
        var switches = message.Content ?? content;
        if (!switches.TrackOpens && !switches.TrackClicks || string.IsNullOrEmpty(content.HtmlBody)) return content;
        var id = message.Id;
        var baseUrl = publicAddress.BaseUrl;
        var result = LinkRewriter.Rewrite(
            content.HtmlBody,
            switches.TrackClicks ? index => $"{baseUrl}/t/c/{tokens.Create(TokenPurpose.Click, id, index)}" : null,
            switches.TrackOpens ? $"{baseUrl}/t/o/{tokens.Create(TokenPurpose.Open, id)}" : null,
            // The recipient's own unsubscribe and preferences links go straight to their pages: one hop less for the
            // person leaving, and an unsubscribe is recorded as such, not as a click.
            unsubscribe.IsRecipientPage);
        if (result.Urls.Count > 0) await links.StoreAsync(message, result.Urls, ct);
        links.Remember(message, result.Urls, clock.GetUtcNow().UtcDateTime);
        var copy = content.CopyForOneMessage();
        copy.HtmlBody = result.Html;
        return copy;
    }
}
