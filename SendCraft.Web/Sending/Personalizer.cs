using System.Collections.Concurrent;
using MimeKit;
using SendCraft.Web.Campaigns;
using SendCraft.Web.Data;
using SendCraft.Web.Templating;
using SendCraft.Web.Unsubscribe;

namespace SendCraft.Web.Sending;

/// <summary>
/// Renders a personalized content (campaign mail: Liquid sources shared by every recipient) for one recipient, as the
/// message is built for sending. The sources are compiled once per content and kept while the content is in use.
/// A variable the contact lacks renders empty, or as its <c>default</c>; expansion has counted such recipients.
/// </summary>
public sealed class Personalizer(TemplateRenderer renderer, UnsubscribeLinks unsubscribe)
{
    private const int MaxCompiled = 500; // contents in flight at once are few (one per running campaign)
    private readonly ConcurrentDictionary<long, CompiledTemplate> _compiled = new();

    public async ValueTask<MessageContent> RenderAsync(OutboundMessage message, MessageContent content)
    {
        var template = _compiled.GetOrAdd(content.Id, _ => Compile(content));
        var contact = message.Contact;
        var fields = ContactFields.For(message.Recipient, contact?.Name ?? "", contact?.AttributesJson ?? "{}");
        unsubscribe.AddFields(fields, message); // {{ unsubscribe_url }}, {{ preferences_url }}: this recipient's own
        var rendered = await renderer.RenderAsync(template, fields);
        return new MessageContent
        {
            // Id 0: the body is this recipient's own, never reused for another (see MimeBuilder.Build).
            WorkspaceId = content.WorkspaceId,
            FromAddress = content.FromAddress,
            FromName = content.FromName,
            ToHeader = new MailboxAddress(contact?.Name ?? "", message.Recipient).ToString(),
            Subject = rendered.Subject,
            HtmlBody = string.IsNullOrEmpty(content.HtmlBody) ? null : rendered.Html,
            TextBody = rendered.Text,
            Attachments = content.Attachments,
        };
    }

    private CompiledTemplate Compile(MessageContent content)
    {
        if (_compiled.Count >= MaxCompiled) _compiled.Clear();
        return renderer.Compile(new TemplateSource(content.Subject, content.HtmlBody ?? "", content.TextBody ?? ""));
    }
}
