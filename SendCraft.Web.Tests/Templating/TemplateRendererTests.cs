using SendCraft.Web.Templating;

namespace SendCraft.Web.Tests.Templating;

public sealed class TemplateRendererTests : IDisposable
{
    private readonly TemplateRenderer _renderer = new();

    public void Dispose() => _renderer.Dispose();

    private async Task<RenderedEmail> RenderAsync(string html, IReadOnlyDictionary<string, object?> model, string subject = "", string text = "x") =>
        await _renderer.RenderAsync(_renderer.Compile(new TemplateSource(subject, html, text)), model);

    [Fact]
    public async Task Html_IsEncodedByDefault_AndRawOutputsTrustedHtml()
    {
        var rendered = await RenderAsync("<p>{{ name }}</p>{{ banner | raw }}",
            new Dictionary<string, object?> { ["name"] = "<script>alert(1)</script> & Ünal", ["banner"] = "<b>Sale</b>" });
        Assert.Equal("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Ünal</p><b>Sale</b>", rendered.Html);
    }

    [Fact]
    public async Task SubjectAndText_AreNotHtmlEncoded_AndSubjectLineBreaksBecomeSpaces()
    {
        var rendered = await _renderer.RenderAsync(_renderer.Compile(new TemplateSource("Hi {{ name }}\n{{ x }}", "", "Dear {{ name }}")),
            new Dictionary<string, object?> { ["name"] = "Tom & Jerry <tj>", ["x"] = "again" });
        Assert.Equal("Hi Tom & Jerry <tj> again", rendered.Subject);
        Assert.Equal("Dear Tom & Jerry <tj>", rendered.Text);
    }

    [Fact]
    public async Task NestedValues_LoopsAndConditions_Render()
    {
        var model = new Dictionary<string, object?>
        {
            ["order"] = new Dictionary<string, object?> { ["total"] = 42.5m, ["number"] = "A-17" },
            ["items"] = new List<object?>
            {
                new Dictionary<string, object?> { ["name"] = "Tea", ["qty"] = 2 },
                new Dictionary<string, object?> { ["name"] = "Cake", ["qty"] = 1 },
            },
            ["vip"] = true,
        };
        var rendered = await RenderAsync(
            "Order {{ order.number }}: {% for item in items %}{{ forloop.index }}.{{ item.name }}x{{ item.qty }} {% endfor %}= {{ order.total }}{% if vip %} (VIP){% else %} (regular){% endif %}",
            model);
        Assert.Equal("Order A-17: 1.Teax2 2.Cakex1 = 42.5 (VIP)", rendered.Html);
    }

    [Fact]
    public async Task Filters_Apply()
    {
        var rendered = await RenderAsync("{{ name | upcase }}|{{ missing | default: 'friend' }}|{{ price | times: 2 }}|{{ tags | join: ', ' }}|{{ title | truncate: 8 }}",
            new Dictionary<string, object?> { ["name"] = "ada", ["price"] = 1.25m, ["tags"] = new List<object?> { "a", "b" }, ["title"] = "Hello world" });
        Assert.Equal("ADA|friend|2.5|a, b|Hello...", rendered.Html);
    }

    [Fact]
    public async Task MissingVariables_RenderAsEmpty()
    {
        var rendered = await RenderAsync("[{{ nobody }}][{{ order.total }}][{% if nobody %}yes{% endif %}]", new Dictionary<string, object?>());
        Assert.Equal("[][][]", rendered.Html);
    }

    [Fact]
    public async Task CallVariables_WinOverContactFields()
    {
        var compiled = _renderer.Compile(new TemplateSource("{{ first_name }} {{ code }}", "", "x"));
        var rendered = await _renderer.RenderAsync(compiled,
            new Dictionary<string, object?> { ["first_name"] = "Ada", ["code"] = "from-contact" },
            new Dictionary<string, object?> { ["code"] = "123456" });
        Assert.Equal("Ada 123456", rendered.Subject);
    }

    [Fact]
    public async Task EmptyTextTemplate_IsGeneratedFromTheRenderedHtml()
    {
        var rendered = await _renderer.RenderAsync(_renderer.Compile(new TemplateSource("s", "<p>Hi {{ name }}, <a href=\"https://x.test/{{ id }}\">open</a></p>", "")),
            new Dictionary<string, object?> { ["name"] = "Ada", ["id"] = 7 });
        Assert.Equal("Hi Ada, open (https://x.test/7)", rendered.Text);
    }

    [Fact]
    public async Task TextMadeFromHtml_KeepsLoops_AndHasNoEmptyLinesFromTagsOrEmptyLinks()
    {
        var compiled = _renderer.Compile(new TemplateSource("s",
            "<p>Hi {{ name }}</p>{% if vip %}<p>VIP</p>{% endif %}<table>{% for i in items %}<tr><td>{{ i }}</td></tr>{% endfor %}</table><p>Bye <a href=\"{{ url }}\">unsubscribe</a></p>", ""));
        var rendered = await _renderer.RenderAsync(compiled,
            new Dictionary<string, object?> { ["name"] = "Ada", ["vip"] = false, ["items"] = new List<object?> { "Tea", "Cake" } });
        Assert.Equal("Hi Ada\n\nTea\nCake\n\nBye unsubscribe", rendered.Text);
    }

    [Theory]
    [InlineData("Hello {{ name ", 1, 14)]
    [InlineData("line one\nline two {% if x %}\nno end", 3, 7)]
    [InlineData("a\nb\n  {% for %}", 3, 9)]
    [InlineData("x {{ a | }}", 1, 9)]
    [InlineData("ok\n\n   {{ a.b. }}", 3, 10)]
    public void SyntaxError_IsReportedWithLineAndColumn(string html, int line, int column)
    {
        var check = _renderer.Check(new TemplateSource("Subject", html, ""));
        var error = Assert.Single(check.Errors);
        Assert.Equal(TemplatePart.Html, error.Part);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.DoesNotContain("Source:", error.Message);
        Assert.DoesNotContain(" at (", error.Message);
        Assert.StartsWith($"HTML body, line {line}, column {column}: ", error.ToString());
    }

    [Fact]
    public void SyntaxErrors_InSeveralParts_AreAllReported_AndCompileThrows()
    {
        var source = new TemplateSource("{{ oops", "<p>fine</p>", "{% endif %}");
        var check = _renderer.Check(source);
        Assert.Equal([TemplatePart.Subject, TemplatePart.Text], check.Errors.Select(e => e.Part));
        Assert.Contains("Unknown tag 'endif'", check.Errors[1].Message);
        var thrown = Assert.Throws<TemplateSyntaxException>(() => _renderer.Compile(source));
        Assert.Equal(2, thrown.Errors.Count);
    }

    [Theory]
    [InlineData("End of tag '}}' was expected at (3:10)\nSource:\n   {{ a.b. }}", "End of tag '}}' was expected", 3, 10)]
    [InlineData("Unknown tag 'foo' at (12:345)", "Unknown tag 'foo'", 12, 345)]
    [InlineData("Something odd happened", "Something odd happened", null, null)]
    public void FluidMessages_AreSplitIntoTextLineAndColumn(string message, string text, int? line, int? column)
    {
        var error = TemplateRenderer.ToError(TemplatePart.Subject, message);
        Assert.Equal(text, error.Message);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
    }

    [Fact]
    public void Variables_AreDetected_WithDottedPaths_AndWithoutLoopOrAssignedNames()
    {
        var check = _renderer.Check(new TemplateSource(
            "Your order {{ order.number }}",
            """
            {{ first_name | default: fallback_name }}
            {% for item in items %}{{ item.name }} {{ forloop.index }} {{ currency }}{% endfor %}
            {% if customer.address.city == "Paris" %}{{ customer.address.city }}{% endif %}
            {% assign greeting = "Hi" %}{{ greeting }}
            {% capture sig %}{{ company.name }}{% endcapture %}{{ sig }}
            {{ order["total"] }} {{ items.size }} {{ item }}
            """,
            "{{ unsubscribe_url }}"));
        Assert.True(check.IsValid);
        Assert.Equal(
            ["company.name", "currency", "customer.address.city", "fallback_name", "first_name", "item", "items", "order.number", "order.total", "unsubscribe_url"],
            check.Variables);
    }

    [Fact]
    public void UnknownFilters_ArePointedOut()
    {
        var check = _renderer.Check(new TemplateSource("", "{{ name | upcase }} {{ name | shout }}", ""));
        Assert.Equal(["shout"], check.UnknownFilters);
    }

    [Fact]
    public async Task CompiledTemplates_AreCachedByVersion_AndANewVersionRecompiles()
    {
        var v1 = new TemplateVersion(5, 1);
        var first = _renderer.GetOrCompile(v1, new TemplateSource("one", "", ""));
        Assert.Same(first, _renderer.GetOrCompile(v1, new TemplateSource("ignored: already compiled", "", "")));
        var rendered = await _renderer.RenderAsync(new TemplateVersion(5, 2), new TemplateSource("two", "", ""), new Dictionary<string, object?>());
        Assert.Equal("two", rendered.Subject);
    }

    [Fact]
    public async Task RunawayLoop_StopsInsteadOfRunningForever()
    {
        var compiled = _renderer.Compile(new TemplateSource("", "{% for i in (1..100000000) %}x{% endfor %}", "x"));
        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await _renderer.RenderAsync(compiled, new Dictionary<string, object?>()));
    }
}
