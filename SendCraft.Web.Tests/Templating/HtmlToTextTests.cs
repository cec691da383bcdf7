using SendCraft.Web.Templating;

namespace SendCraft.Web.Tests.Templating;

public sealed class HtmlToTextTests
{
    [Fact]
    public void Paragraphs_Headings_AndBreaks_BecomeLines()
    {
        var text = HtmlToText.Convert("<h1>Welcome</h1><p>First   line<br>second line</p><div>Block</div><p>Last</p>");
        Assert.Equal("Welcome\n\nFirst line\nsecond line\n\nBlock\n\nLast", text);
    }

    [Fact]
    public void Links_KeepTheirUrl_InParentheses()
    {
        var text = HtmlToText.Convert("""<p>Read <a href="https://example.com/post">the post</a> or <a href="https://example.com">https://example.com</a>. Mail <a href="mailto:hi@example.com">hi@example.com</a>.</p>""");
        Assert.Equal("Read the post (https://example.com/post) or https://example.com. Mail hi@example.com.", text);
    }

    [Fact]
    public void Lists_BecomeBullets_AndOrderedListsAreNumbered()
    {
        var text = HtmlToText.Convert("<p>Items:</p><ul><li>Tea</li><li>Cake <b>fresh</b></li></ul><ol><li>One</li><li>Two</li></ol>");
        Assert.Equal("Items:\n\n- Tea\n- Cake fresh\n\n1. One\n2. Two", text);
    }

    [Fact]
    public void ScriptStyleAndHead_AreSkipped_AndEntitiesDecoded()
    {
        var text = HtmlToText.Convert("<html><head><title>T</title><style>p{color:red}</style></head><body><script>alert(1)</script><p>Fish &amp; chips &lt;3</p></body></html>");
        Assert.Equal("Fish & chips <3", text);
    }

    [Fact]
    public void TableRows_BecomeLines_WithCellsSideBySide()
    {
        var text = HtmlToText.Convert("<table><tr><td>Tea</td><td>2</td></tr><tr><td>Cake</td><td>1</td></tr></table>");
        Assert.Equal("Tea 2\nCake 1", text);
    }

    [Fact]
    public void LiquidTags_StayInPlace_EvenAroundTableRows_AndInLinks()
    {
        var text = HtmlToText.Convert("""
            <p>Hi {{ first_name }},</p>
            <table>{% for item in items %}<tr><td>{{ item.name }}</td></tr>{% endfor %}</table>
            <p><a href="{{ order.url }}">Your order</a></p>
            """);
        Assert.Equal("Hi {{ first_name }},\n\n{% for item in items %}{{ item.name }}\n{% endfor %}\nYour order ({{ order.url }})", text);
    }

    [Fact]
    public void InlineLiquidTags_KeepTheSpacesAroundThem()
    {
        Assert.Equal("Hello {% if vip %}VIP {% endif %}friend", HtmlToText.Convert("<p>Hello {% if vip %}VIP {% endif %}friend</p>"));
    }
}
