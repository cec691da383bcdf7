using SendCraft.Web.Contacts;
using SendCraft.Web.Unsubscribe;

namespace SendCraft.Web.Campaigns;

/// <summary>
/// What a campaign template sees of a contact: its attributes (<c>{{ city }}</c>), plus <c>email</c> and <c>name</c>,
/// and <c>first_name</c> (the first word of the name) when the contact has no attribute of that name.
/// </summary>
public static class ContactFields
{
    public static Dictionary<string, object?> For(string email, string name, string attributesJson)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in ContactAttributes.Parse(attributesJson)) fields[key] = value;
        fields["email"] = email;
        fields["name"] = name;
        if (!fields.ContainsKey("first_name") && name.Trim().Split(' ', 2)[0] is { Length: > 0 } first) fields["first_name"] = first;
        return fields;
    }

    /// <summary>True when the contact lacks a field the template reads (by root name: "order" for "order.total").</summary>
    public static bool LacksAny(IReadOnlyDictionary<string, object?> fields, IReadOnlyCollection<string> roots)
    {
        foreach (var root in roots)
            if (!fields.TryGetValue(root, out var value) || value is null || value is string { Length: 0 }) return true;
        return false;
    }

    /// <summary>
    /// The root names of the variables a template reads ("order.total" → "order"), less the built-in ones the sending
    /// engine fills in for every recipient ({{ unsubscribe_url }}, {{ preferences_url }}): no contact lacks those.
    /// </summary>
    public static IReadOnlyCollection<string> Roots(IEnumerable<string> variables) =>
        variables.Select(v => v.Split('.', 2)[0]).Where(v => !UnsubscribeLinks.Variables.Contains(v)).ToHashSet(StringComparer.Ordinal);
}
