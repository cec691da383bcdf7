using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// Drives the app the way a browser without JavaScript would: GET a page, fill its form (keeping hidden fields
/// such as the antiforgery token), POST it. htmx requests carry the token header the layout's script adds.
/// </summary>
public sealed class WebSession(HttpClient client)
{
    public HttpClient Client { get; } = client;

    public Task<HttpResponseMessage> GetAsync(string url) => Client.GetAsync(url);

    /// <summary>GETs a page that must answer 200 and parses it.</summary>
    public async Task<IDocument> GetPageAsync(string url)
    {
        var response = await Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode} {response.Headers.Location}\n{body[..Math.Min(body.Length, 2000)]}");
        return await ParseAsync(body);
    }

    public static Task<IDocument> ParseAsync(string html) =>
        BrowsingContext.New(Configuration.Default).OpenAsync(req => req.Content(html));

    /// <summary>Loads <paramref name="pageUrl"/>, fills the form that <paramref name="formSelector"/> picks (default: the first POST form in the main content) and submits it.</summary>
    public async Task<HttpResponseMessage> SubmitFormAsync(string pageUrl, Dictionary<string, string> fields, string? formSelector = null)
    {
        var page = await GetPageAsync(pageUrl);
        return await SubmitFormAsync(page, pageUrl, fields, formSelector);
    }

    public async Task<HttpResponseMessage> SubmitFormAsync(IDocument page, string pageUrl, Dictionary<string, string> fields, string? formSelector = null)
    {
        var form = (formSelector is null
            ? page.QuerySelectorAll<IHtmlFormElement>("main form[method=post], body > main form, form[method=post]").FirstOrDefault(f => !IsChrome(f))
            : page.QuerySelector<IHtmlFormElement>(formSelector))
            ?? throw new InvalidOperationException($"No form '{formSelector}' on {pageUrl}");

        var values = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input[name]"))
        {
            if (input.Type is "checkbox" or "radio" && !input.IsChecked) continue;
            if (!fields.ContainsKey(input.Name!)) values.Add(new(input.Name!, input.Value));
        }
        foreach (var select in form.QuerySelectorAll<IHtmlSelectElement>("select[name]"))
        {
            if (!fields.ContainsKey(select.Name!)) values.Add(new(select.Name!, select.Value ?? ""));
        }
        values.AddRange(fields);

        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? pageUrl : form.GetAttribute("action")!;
        return await Client.PostAsync(action, new FormUrlEncodedContent(values));
    }

    /// <summary>A POST built by hand, as a script would send it, with a valid antiforgery pair taken from the login page.</summary>
    public async Task<HttpResponseMessage> PostWithTokenAsync(string url, Dictionary<string, string> fields)
    {
        var login = await GetPageAsync("/Account/Login");
        var token = login.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        return await Client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token }));
    }

    /// <summary>An htmx POST: HX-Request plus the antiforgery header, token taken from the page's meta tag.</summary>
    public async Task<HttpResponseMessage> HtmxPostAsync(IDocument page, string url, Dictionary<string, string>? fields = null)
    {
        var token = page.QuerySelector("meta[name=csrf-token]")?.GetAttribute("content")
                    ?? throw new InvalidOperationException("The page has no csrf-token meta tag.");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields ?? []) };
        request.Headers.Add("HX-Request", "true");
        request.Headers.Add("RequestVerificationToken", token);
        return await Client.SendAsync(request);
    }

    /// <summary>Follows one redirect and returns the parsed page it leads to.</summary>
    public async Task<IDocument> FollowAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther,
            $"Expected a redirect, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await GetPageAsync(response.Headers.Location!.OriginalString);
    }

    /// <summary>The layout's own forms (workspace switcher, sign-out) are not what a test means by "the form".</summary>
    private static bool IsChrome(IHtmlFormElement form) =>
        form.Closest(".dropdown-menu") is not null;
}
