using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SendCraft.Web.Contacts;

/// <summary>
/// A contact's custom attributes: a flat set of string values under keys that are valid template variable names
/// (<c>{{ city }}</c>), stored as a JSON object. This class is the only writer of that JSON, so the text form is
/// canonical (compact, non-ASCII kept as is) and the attribute search can match on it.
/// </summary>
public static partial class ContactAttributes
{
    public const int MaxKeyLength = 64;
    public const int MaxValueLength = 1000;

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("[^a-z0-9_]+")]
    private static partial Regex NonKeyCharacters();

    public static bool IsValidKey(string key) => key.Length <= MaxKeyLength && KeyPattern().IsMatch(key);

    /// <summary>A column header as an attribute key: "First Name" → first_name, "2nd" → _2nd.</summary>
    public static string KeyFromHeader(string header)
    {
        var key = NonKeyCharacters().Replace(header.Trim().ToLowerInvariant(), "_").Trim('_');
        if (key.Length == 0) key = "attribute";
        if (char.IsDigit(key[0])) key = "_" + key;
        return key.Length > MaxKeyLength ? key[..MaxKeyLength] : key;
    }

    public static Dictionary<string, string> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json, Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public static string Serialize(IReadOnlyDictionary<string, string> attributes) =>
        attributes.Count == 0 ? "{}" : JsonSerializer.Serialize(attributes, Json);

    /// <summary>The existing attributes with <paramref name="changes"/> laid over them (a key in both takes the new value).</summary>
    public static string Merge(string existingJson, IReadOnlyDictionary<string, string> changes)
    {
        if (changes.Count == 0) return existingJson;
        var merged = Parse(existingJson);
        foreach (var (key, value) in changes) merged[key] = value;
        return Serialize(merged);
    }

    /// <summary>
    /// The text a contact's JSON contains when it has <paramref name="key"/> with a value starting with
    /// <paramref name="valuePrefix"/>: <c>"city":"Ber</c>.
    /// </summary>
    public static string SearchFragment(string key, string valuePrefix)
    {
        var value = JsonSerializer.Serialize(valuePrefix, Json);
        return JsonSerializer.Serialize(key, Json) + ":" + value[..^1]; // drop the closing quote: a prefix match
    }

    /// <summary>Reads the "key = value" lines of the contact form. Returns an error for the first bad line.</summary>
    public static Dictionary<string, string> ParseLines(string? text, out string? error)
    {
        error = null;
        var result = new Dictionary<string, string>();
        var lineNumber = 0;
        foreach (var raw in (text ?? "").Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var eq = line.IndexOf('=');
            if (eq <= 0)
            {
                error = $"Attribute line {lineNumber} needs the form key = value.";
                return result;
            }
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (!IsValidKey(key))
            {
                error = $"Attribute '{key}' is not a valid name: use lower-case letters, digits and _, starting with a letter or _ (it becomes the template variable {{{{ {key} }}}}).";
                return result;
            }
            if (value.Length > MaxValueLength)
            {
                error = $"Attribute '{key}' is longer than {MaxValueLength} characters.";
                return result;
            }
            result[key] = value;
        }
        return result;
    }

    public static string ToLines(string json) => string.Join("\n", Parse(json).Select(kv => $"{kv.Key} = {kv.Value}"));
}
