using System.ComponentModel;
using System.Text.Json;
using SendCraft.Web.Data;

namespace SendCraft.Web.Api;

/// <summary>A contact: POST /contacts creates one, POST /contacts/upsert creates or updates the one with this email.</summary>
public sealed class ContactRequest
{
    [Description("The address; stored trimmed and lower-cased, unique in the workspace.")]
    public string? Email { get; set; }
    [Description("Display name, at most 200 characters, no line breaks. Upsert: replaces the name when given.")]
    public string? Name { get; set; }
    [Description("active (default for a new contact), unsubscribed, bounced or complained. Upsert: changes the status only when given.")]
    public string? Status { get; set; }
    [Description("A flat object of custom attributes ({{ city }} in templates): keys of lower-case letters, digits and _ (at most 64), values strings, numbers or booleans (at most 1000 characters), at most 200 keys. Upsert: merged into the contact's; null removes a key.")]
    public Dictionary<string, JsonElement>? Attributes { get; set; }
    [Description("Lists to add the contact to (it stays in the lists it is already in).")]
    public List<long>? ListIds { get; set; }
}

/// <summary>PATCH /contacts/{id}: only the fields given change.</summary>
public sealed class ContactPatch
{
    [Description("A new address (409 when another contact has it).")]
    public string? Email { get; set; }
    public string? Name { get; set; }
    [Description("active, unsubscribed, bounced or complained.")]
    public string? Status { get; set; }
    [Description("Merged into the contact's attributes; null removes a key.")]
    public Dictionary<string, JsonElement>? Attributes { get; set; }
}

public sealed record ContactView(long Id, string Email, string Name, string Status, IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<long> ListIds, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record ContactPage(IReadOnlyList<ContactView> Data, string? NextCursor);

public sealed class ListRequest
{
    [Description("Unique in the workspace, at most 100 characters.")]
    public string? Name { get; set; }
    [Description("At most 500 characters.")]
    public string? Description { get; set; }
}

public sealed record ListView(long Id, string Name, string Description, int MemberCount, DateTime CreatedAt);

public sealed record ListPage(IReadOnlyList<ListView> Data, string? NextCursor);

/// <summary>POST /lists/{id}/members: contacts by id, by email, or both; at most 1000 in all.</summary>
public sealed class MembersRequest
{
    [Description("Ids of contacts of the workspace.")]
    public List<long>? ContactIds { get; set; }
    [Description("Addresses; a contact is created for an address the workspace does not have yet (as the list page does).")]
    public List<string>? Emails { get; set; }
}

/// <param name="Item">The request item this is about: contact_ids[0], emails[3].</param>
/// <param name="Status">added, created (a new contact, added), already_member, or rejected (see error).</param>
public sealed record MemberResult(string Item, long? ContactId, string Status, string? Error);

public sealed record MembersResponse(int Added, int Created, int AlreadyMembers, int Rejected, int MemberCount, IReadOnlyList<MemberResult> Results);

/// <param name="Added">False when the contact was already a member.</param>
public sealed record MembershipView(long ListId, long ContactId, bool Added, int MemberCount);

public static class ContactStatusNames
{
    public static string Of(ContactStatus s) => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString());

    public static ContactStatus? Parse(string value) =>
        Enum.GetValues<ContactStatus>().Where(s => Of(s) == value).Select(s => (ContactStatus?)s).FirstOrDefault();

    public static string Choices => string.Join(", ", Enum.GetValues<ContactStatus>().Select(Of));
}
