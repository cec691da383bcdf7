using System.Text.Json;

namespace SendCraft.Web.Infrastructure;

/// <summary>The htmx answer idiom shared by the CRUD pages: an HX-Trigger "toast" (see site.js), plus optional refresh events.</summary>
public static class HtmxToast
{
    public static void Toast(this HttpResponse response, string message, bool isError = false, params string[] events)
    {
        response.Headers.Vary = "HX-Request";
        var payload = new Dictionary<string, object> { ["toast"] = new { message, level = isError ? "error" : "success" } };
        foreach (var e in events) payload[e] = "";
        response.Headers["HX-Trigger"] = JsonSerializer.Serialize(payload);
    }
}
