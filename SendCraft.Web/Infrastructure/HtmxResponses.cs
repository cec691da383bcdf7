using System.Text.Json;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SendCraft.Web.Infrastructure;

/// <summary>
/// The htmx answers shared by the pages: an HX-Trigger "toast" (see site.js) plus refresh events (named in kebab-case,
/// e.g. contacts-changed), and a deleted row. Redirects use the Htmx package: Response.Htmx(h => h.Redirect(url)).
/// </summary>
public static class HtmxResponses
{
    public static void Toast(this HttpResponse response, string message, bool isError = false, params string[] events)
    {
        response.Headers.Vary = "HX-Request";
        var payload = new Dictionary<string, object> { ["toast"] = new { message, level = isError ? "error" : "success" } };
        foreach (var e in events) payload[e] = "";
        response.Headers["HX-Trigger"] = JsonSerializer.Serialize(payload);
    }

    /// <summary>
    /// A row was deleted. htmx swaps the row (outerHTML) for an empty body and shows a toast; a plain form post
    /// (no JavaScript) gets the message as a flash on <paramref name="fallback"/>.
    /// </summary>
    public static IActionResult RowDeleted(this PageModel page, string message, IActionResult fallback, params string[] events)
    {
        if (!page.Request.IsHtmx())
        {
            page.TempData["Flash"] = message;
            return fallback;
        }
        page.Response.Toast(message, isError: false, events);
        return new ContentResult { Content = "", ContentType = "text/html" };
    }
}
