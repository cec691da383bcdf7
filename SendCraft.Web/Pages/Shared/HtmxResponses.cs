using System.Text.Json;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SendCraft.Web.Pages.Shared;

/// <summary>The HX-Trigger answers of the htmx CRUD idiom (see Settings/Members): a toast, and events that refresh a panel.</summary>
public static class HtmxResponses
{
    public static void Toast(this PageModel page, string message, bool isError = false, params string[] events)
    {
        var triggers = new Dictionary<string, object> { ["toast"] = new { message, level = isError ? "error" : "success" } };
        foreach (var e in events) triggers[e] = true;
        page.Response.Headers.Vary = "HX-Request";
        page.Response.Headers["HX-Trigger"] = JsonSerializer.Serialize(triggers);
    }
}
