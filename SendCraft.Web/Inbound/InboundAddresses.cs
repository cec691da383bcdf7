using Microsoft.Extensions.Options;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Tracking;

namespace SendCraft.Web.Inbound;

public enum InboundRouteKind
{
    /// <summary>bounces+&lt;ReturnPath token&gt;@: the VERP return path of one message.</summary>
    ReturnPath,
    /// <summary>bounces@, postmaster@, abuse@, fbl@: shared addresses; what arrives is matched by its content.</summary>
    Shared,
    /// <summary>replies+&lt;WorkspaceReply token&gt;@: a workspace's reply address.</summary>
    WorkspaceReply,
    /// <summary>unsubscribe+&lt;Unsubscribe token&gt;@: the mailto of List-Unsubscribe.</summary>
    Unsubscribe,
}

/// <param name="Id">The message id (ReturnPath, Unsubscribe) or the workspace id (WorkspaceReply); 0 for Shared.</param>
public sealed record InboundRoute(InboundRouteKind Kind, long Id, string Address, string? Token);

/// <summary>
/// The addresses SendCraft receives mail for, all at the bounce or reply domain, and the envelope sender of outgoing
/// mail (VERP: bounces+&lt;token&gt;@bounce domain). The tokens are <see cref="MessageTokens"/> (HMAC-signed, lower-case hex,
/// so they survive servers that lower-case the local part); a forged or mistyped one is refused at RCPT like any
/// unknown address, without a database query.
/// </summary>
public sealed class InboundAddresses(MessageTokens tokens, IOptions<InboundOptions> options)
{
    private static readonly string[] SharedLocalParts = ["bounces", "postmaster", "abuse", "fbl"];

    /// <summary>The envelope sender for one outbox message: its VERP address when a bounce domain is set, else <paramref name="fallback"/>.</summary>
    public MailboxAddress ReturnPathFor(OutboundMessage message, MailboxAddress fallback) =>
        options.Value.EffectiveBounceDomain is { } domain
            ? new MailboxAddress("", $"bounces+{tokens.Create(TokenPurpose.ReturnPath, message.Id)}@{domain}")
            : fallback;

    /// <summary>The workspace's reply address (for its Reply-To), or null when no reply domain is set.</summary>
    public string? ReplyAddressFor(long workspaceId) =>
        options.Value.EffectiveReplyDomain is { } domain ? $"replies+{tokens.Create(TokenPurpose.WorkspaceReply, workspaceId)}@{domain}" : null;

    /// <summary>
    /// Campaign mail gets the workspace's reply address as its Reply-To, so people's answers land in the Inbox, threaded
    /// to what they answer (off with Inbound:CampaignRepliesToInbox=false, and nothing without a reply domain). Called
    /// before DKIM signing: Reply-To is a signed header.
    /// </summary>
    public void AddCampaignReplyTo(MimeMessage mime, OutboundMessage message)
    {
        if (message.CampaignId is null || !options.Value.CampaignRepliesToInbox || mime.ReplyTo.Count > 0) return;
        if (ReplyAddressFor(message.WorkspaceId) is { } address) mime.ReplyTo.Add(new MailboxAddress("", address));
    }

    /// <summary>What mail to <paramref name="address"/> is, or null when it is not an address of ours (550 5.1.1).</summary>
    public InboundRoute? Route(string? address)
    {
        if (string.IsNullOrWhiteSpace(address)) return null;
        var at = address.LastIndexOf('@');
        if (at <= 0) return null;
        var local = address[..at].ToLowerInvariant();
        var domain = address[(at + 1)..].TrimEnd('.').ToLowerInvariant();
        var o = options.Value;
        if (domain != o.EffectiveBounceDomain && domain != o.EffectiveReplyDomain) return null;
        var normalized = $"{local}@{domain}";
        if (SharedLocalParts.Contains(local)) return new InboundRoute(InboundRouteKind.Shared, 0, normalized, null);
        var plus = local.IndexOf('+');
        if (plus <= 0) return null;
        var (tag, token) = (local[..plus], local[(plus + 1)..]);
        return tag switch
        {
            "bounces" when tokens.TryRead(TokenPurpose.ReturnPath, token, out var id, out _) => new(InboundRouteKind.ReturnPath, id, normalized, token),
            "replies" when tokens.TryRead(TokenPurpose.WorkspaceReply, token, out var id, out _) => new(InboundRouteKind.WorkspaceReply, id, normalized, token),
            "unsubscribe" when tokens.TryRead(TokenPurpose.Unsubscribe, token, out var id, out _) => new(InboundRouteKind.Unsubscribe, id, normalized, token),
            _ => null,
        };
    }

    /// <summary>The message id in a VERP address found in a report (Original-Mail-From, the original's Return-Path), if any.</summary>
    public long? MessageOfReturnPath(string? address)
    {
        if (string.IsNullOrWhiteSpace(address)) return null;
        var text = address.Trim().Trim('<', '>');
        if (text.StartsWith("rfc822;", StringComparison.OrdinalIgnoreCase)) text = text[7..].Trim();
        var route = Route(text);
        return route is { Kind: InboundRouteKind.ReturnPath } ? route.Id : null;
    }
}

/// <summary>
/// The unsubscribe hook for mail to unsubscribe+&lt;token&gt;@ (the mailto of List-Unsubscribe). The unsubscribe feature
/// implements it (Unsubscribe/MailtoUnsubscribe); an interface so inbound mail does not depend on that feature's internals.
/// </summary>
public interface IInboundUnsubscribe
{
    /// <param name="token">The Unsubscribe token of the address (already checked).</param>
    /// <param name="source">Where the request came from, for the record: "mailto".</param>
    /// <returns>True when the token named a recipient (now unsubscribed, or already).</returns>
    Task<bool> UnsubscribeAsync(string token, string source, CancellationToken ct);
}
