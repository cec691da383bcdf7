using System.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SendCraft.Web.Pages;

/// <summary>The page shown for errors and bare status codes: a plain sentence and a reference, never a stack trace.</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";
    public string Explanation { get; private set; } = "The error has been logged. Please try again in a moment.";
    public string? RequestId { get; private set; }

    public void OnGet(int? code) => Describe(code);
    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        RequestId = Activity.Current?.Id ?? HttpContext.TraceIdentifier;
        (Title, Explanation) = code switch
        {
            404 => ("Not found", "There is nothing here, or it belongs to a workspace you are not working in."),
            400 => ("Bad request", "The form could not be accepted. Reload the page and try again."),
            403 => ("Not allowed", "Your role in this workspace does not allow this."),
            null or 500 => (Title, Explanation),
            _ => ($"Error {code}", Explanation),
        };
    }
}
