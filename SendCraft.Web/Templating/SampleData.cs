using System.Text.Json;

namespace SendCraft.Web.Templating;

/// <summary>A template's sample data: a JSON object turned into the dictionaries and lists Fluid renders from.</summary>
public static class SampleData
{
    /// <summary>Parses <paramref name="json"/> (empty means no data); on failure returns null and says why in <paramref name="error"/>.</summary>
    public static Dictionary<string, object?>? Parse(string? json, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(json)) return new Dictionary<string, object?>();
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "Sample data must be a JSON object, such as {\"first_name\": \"Ada\"}.";
                return null;
            }
            return (Dictionary<string, object?>)ToValue(document.RootElement)!;
        }
        catch (JsonException e)
        {
            // System.Text.Json counts lines from 0 and bytes on the line from 0: show both 1-based.
            error = e.LineNumber is { } line
                ? $"Sample data is not valid JSON (line {line + 1}, column {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}"
                : $"Sample data is not valid JSON: {FirstSentence(e.Message)}";
            return null;
        }
    }

    /// <summary>True when <paramref name="path"/> ("order.total") names a value in <paramref name="data"/>.</summary>
    public static bool Has(IReadOnlyDictionary<string, object?> data, string path)
    {
        object? current = data;
        foreach (var name in path.Split('.'))
        {
            switch (current)
            {
                case IReadOnlyDictionary<string, object?> dictionary when dictionary.TryGetValue(name, out var next):
                    current = next;
                    break;
                case Dictionary<string, object?> dictionary when dictionary.TryGetValue(name, out var next):
                    current = next;
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    private static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().GroupBy(p => p.Name).ToDictionary(g => g.Key, g => ToValue(g.Last().Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetDecimal(out var d) ? d : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
