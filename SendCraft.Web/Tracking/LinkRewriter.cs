using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace SendCraft.Web.Tracking;

/// <summary>
/// Rewrites the http(s) links of an HTML body to tracking URLs and adds the open pixel, changing nothing else: only the
/// value of each <c>&lt;a href&gt;</c> is replaced, in place. A DOM parser (AngleSharp) would re-serialize the whole
/// document, normalizing markup that mail clients (Outlook's conditional comments, odd table attributes) depend on.
/// Skipped: mailto:, tel:, #anchors and anything not http(s); links with a <c>data-sc-no-track</c> attribute; links
/// inside comments (Outlook's <c>&lt;!--[if mso]&gt;</c> blocks), &lt;script&gt; and &lt;style&gt;.
/// </summary>
public static partial class LinkRewriter
{
    public const string NoTrackAttribute = "data-sc-no-track";

    /// <summary>The most links of one message that are tracked (the token holds the index in 16 bits).</summary>
    public const int MaxLinks = 1000;

    // Comments, script and style blocks are matched first so that their content is skipped; an <a> start tag allows
    // '>' inside quoted attribute values.
    [GeneratedRegex("""<!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>|<a\s(?:[^>"']|"[^"]*"|'[^']*')*>""",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Tags();

    [GeneratedRegex("""(?<=\s)href\s*=\s*(?:"(?<v>[^"]*)"|'(?<v>[^']*)'|(?<v>[^\s"'=<>`]+))""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Href();

    [GeneratedRegex("""(?<=\s)data-sc-no-track(?=[\s=/>])""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NoTrack();

    [GeneratedRegex("""</body\s*>""", RegexOptions.IgnoreCase | RegexOptions.RightToLeft | RegexOptions.CultureInvariant)]
    private static partial Regex BodyEnd();

    public sealed record Result(string Html, IReadOnlyList<string> Urls);

    /// <param name="clickUrl">The tracking URL for a link index, or null not to rewrite links.</param>
    /// <param name="pixelUrl">The open pixel's URL, or null for no pixel.</param>
    /// <param name="untracked">Links left as they are besides the ones skipped anyway (e.g. the unsubscribe link).</param>
    public static Result Rewrite(string html, Func<int, string>? clickUrl, string? pixelUrl, Func<string, bool>? untracked = null)
    {
        var urls = new List<string>();
        var output = html;
        if (clickUrl is not null)
        {
            output = Tags().Replace(html, tag =>
            {
                if (!tag.ValueSpan.StartsWith("<a", StringComparison.OrdinalIgnoreCase) || urls.Count >= MaxLinks) return tag.Value;
                if (NoTrack().IsMatch(tag.Value)) return tag.Value;
                var href = Href().Match(tag.Value);
                if (!href.Success) return tag.Value;
                var url = WebUtility.HtmlDecode(href.Groups["v"].Value).Trim();
                if (!IsTrackable(url) || untracked?.Invoke(url) == true) return tag.Value;
                var index = urls.Count;
                urls.Add(url);
                var value = href.Groups["v"];
                var start = value.Index;
                return string.Concat(tag.Value.AsSpan(0, start), clickUrl(index), tag.Value.AsSpan(start + value.Length));
            });
        }
        if (pixelUrl is not null) output = AddPixel(output, pixelUrl);
        return new Result(output, urls);
    }

    public static bool IsTrackable(string url) =>
        (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        && Uri.TryCreate(url, UriKind.Absolute, out _);

    private static string AddPixel(string html, string pixelUrl)
    {
        var pixel = $"""<img src="{pixelUrl}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0" />""";
        var end = BodyEnd().Match(html);
        return end.Success ? new StringBuilder(html, 0, end.Index, html.Length + pixel.Length).Append(pixel).Append(html, end.Index, html.Length - end.Index).ToString()
                           : html + pixel;
    }
}
