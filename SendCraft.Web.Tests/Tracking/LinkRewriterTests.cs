using SendCraft.Web.Tracking;

namespace SendCraft.Web.Tests.Tracking;

public sealed class LinkRewriterTests
{
    private static string Click(int i) => $"https://t.test/t/c/{i}";

    [Fact]
    public void Rewrite_ReplacesOnlyHttpLinkValues_InOrder_AndKeepsEverythingElse()
    {
        const string html = """
            <html><body>
            <a class="x" href="https://shop.test/a?x=1&amp;y=2" title="go > there">A</a>
            <A HREF='http://shop.test/b'>B</A>
            <a href=https://shop.test/c>C</a>
            <a href="mailto:ann@example.test">mail</a> <a href="#top">top</a> <a href="tel:+1">tel</a> <a name="x">no href</a>
            <a data-sc-no-track href="https://shop.test/private">private</a>
            <!--[if mso]><a href="https://shop.test/mso">mso</a><![endif]-->
            <style>a[href="https://shop.test/css"]{}</style>
            <abbr href="https://shop.test/not-a-link">abbr</abbr>
            </body></html>
            """;
        var result = LinkRewriter.Rewrite(html, Click, null);

        Assert.Equal(["https://shop.test/a?x=1&y=2", "http://shop.test/b", "https://shop.test/c"], result.Urls);
        var expected = html.Replace("https://shop.test/a?x=1&amp;y=2", Click(0)).Replace("http://shop.test/b", Click(1)).Replace("https://shop.test/c>", Click(2) + ">");
        Assert.Equal(expected, result.Html);
    }

    [Fact]
    public void Pixel_GoesBeforeTheClosingBodyTag_OrAtTheEndOfAFragment()
    {
        var full = LinkRewriter.Rewrite("<html><body><p>x</p></BODY></html>", null, "https://t.test/t/o/abc");
        Assert.Matches("""<p>x</p><img src="https://t.test/t/o/abc" width="1" height="1" alt=""[^>]*></BODY></html>$""", full.Html);
        Assert.Empty(full.Urls);

        var fragment = LinkRewriter.Rewrite("<p>x <a href=\"https://a.test\">a</a></p>", null, "https://t.test/t/o/abc");
        Assert.StartsWith("<p>x <a href=\"https://a.test\">a</a></p><img src=\"https://t.test/t/o/abc\"", fragment.Html); // clicks off: links untouched
    }

    [Fact]
    public void NoLinks_NoChange()
    {
        const string html = "<p>Nothing to see</p>";
        var result = LinkRewriter.Rewrite(html, Click, null);
        Assert.Same(html, result.Html);
        Assert.Empty(result.Urls);
    }
}
