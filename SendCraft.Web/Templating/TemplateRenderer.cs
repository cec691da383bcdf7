using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Fluid;
using Microsoft.Extensions.Caching.Memory;

namespace SendCraft.Web.Templating;

/// <summary>
/// Liquid rendering of email templates through Fluid. One instance for the application (a singleton): it
/// compiles a template once per <see cref="TemplateVersion"/> and keeps the compilation in a bounded cache, so
/// the sending engine renders thousands of recipients without parsing again.
/// HTML output is HTML-encoded by default (`| raw` opts out for trusted HTML); subject and text are not encoded,
/// because they are not HTML.
/// </summary>
public sealed partial class TemplateRenderer : IDisposable
{
    /// <summary>A runaway loop in a template (`for i in (1..100000000)`) stops here instead of eating a worker.</summary>
    public const int MaxSteps = 1_000_000;

    private static readonly FluidParser Parser = new(new FluidParserOptions { AllowFunctions = false });

    // Encodes what HTML needs encoded but leaves non-ASCII letters readable (é, ü, 日本) instead of &#xE9;.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly TemplateOptions _options;
    private readonly MemoryCache _cache;

    public TemplateRenderer(int cacheSize = 2_000)
    {
        _options = new TemplateOptions { MaxSteps = MaxSteps };
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = cacheSize });
    }

    /// <summary>Checks all three parts: syntax errors with line and column, variables read, unknown filters.</summary>
    public TemplateCheck Check(TemplateSource source)
    {
        var errors = new List<TemplateError>();
        var variables = new SortedSet<string>(StringComparer.Ordinal);
        var unknownFilters = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (part, text) in Parts(source))
        {
            if (!TryParse(part, text, out var template, out var error))
            {
                errors.Add(error!);
                continue;
            }
            var (used, filters) = VariableCollector.Collect(template!);
            variables.UnionWith(used);
            unknownFilters.UnionWith(filters.Where(f => !_options.Filters.TryGetValue(f, out _)));
        }
        // Per part, a root can appear alone in one and with a path in another: keep the more precise one.
        var list = variables.Where(v => !variables.Any(o => o.StartsWith(v + ".", StringComparison.Ordinal))).ToList();
        return new TemplateCheck(errors, list, unknownFilters.ToList());
    }

    /// <summary>Parses the three parts; throws <see cref="TemplateSyntaxException"/> when any does not compile.</summary>
    public CompiledTemplate Compile(TemplateSource source)
    {
        var errors = new List<TemplateError>();
        var compiled = new IFluidTemplate?[3];
        foreach (var (part, liquid) in Parts(source))
        {
            if (TryParse(part, liquid, out var template, out var error)) compiled[(int)part] = template;
            else errors.Add(error!);
        }
        if (errors.Count > 0) throw new TemplateSyntaxException(errors);
        var text = compiled[2];
        if (string.IsNullOrWhiteSpace(source.Text))
        {
            // No text template: make one from the HTML template, once. HtmlToText keeps Liquid tags in place, so the
            // per-recipient cost is a text render, not an HTML parse (see docs/benchmarks.md).
            // Should the generated text not parse, each render converts its own rendered HTML instead.
            text = Parser.TryParse(HtmlToText.Convert(source.Html ?? ""), out var generated, out _) ? generated : null;
        }
        return new CompiledTemplate(compiled[0]!, compiled[1]!, text, TextFromHtml: string.IsNullOrWhiteSpace(source.Text));
    }

    /// <summary>The compiled template for <paramref name="key"/>, compiled from <paramref name="source"/> on a cache miss.</summary>
    public CompiledTemplate GetOrCompile(TemplateVersion key, TemplateSource source)
    {
        if (_cache.TryGetValue(key, out CompiledTemplate? cached)) return cached!;
        var compiled = Compile(source);
        _cache.Set(key, compiled, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(6) });
        return compiled;
    }

    /// <summary>
    /// Renders subject, HTML and text for one recipient. <paramref name="fields"/> are the contact's fields;
    /// <paramref name="variables"/> are call-specific (an order, a reset link) and win over a field of the same name.
    /// An empty text template yields text generated from the HTML template (see <see cref="Compile"/>).
    /// </summary>
    public ValueTask<RenderedEmail> RenderAsync(TemplateVersion key, TemplateSource source,
        IReadOnlyDictionary<string, object?> fields, IReadOnlyDictionary<string, object?>? variables = null) =>
        RenderAsync(GetOrCompile(key, source), fields, variables);

    public async ValueTask<RenderedEmail> RenderAsync(CompiledTemplate template,
        IReadOnlyDictionary<string, object?> fields, IReadOnlyDictionary<string, object?>? variables = null)
    {
        var context = new TemplateContext(_options);
        foreach (var (name, value) in fields) context.SetValue(name, value);
        if (variables is not null)
            foreach (var (name, value) in variables) context.SetValue(name, value);

        var subject = await template.Subject.RenderAsync(context, NullEncoder.Default);
        var html = await template.Html.RenderAsync(context, Html);
        var text = template.Text is null ? HtmlToText.Convert(html) : await template.Text.RenderAsync(context, NullEncoder.Default);
        if (template.TextFromHtml) text = TidyGeneratedText(text);
        // A subject is one header line: line breaks from the template would corrupt the message.
        return new RenderedEmail(LineBreaks().Replace(subject, " ").Trim(), html, text);
    }

    /// <summary>
    /// Text made from HTML keeps the template's tags on lines of their own, which render as empty lines, and a link
    /// whose URL rendered empty leaves "()": tidy both so the text part reads like one written by hand.
    /// </summary>
    private static string TidyGeneratedText(string text)
    {
        text = EmptyParentheses().Replace(text, "");
        text = TrailingSpaces().Replace(text, "\n");
        return BlankLines().Replace(text, "\n\n").Trim('\n');
    }

    [GeneratedRegex(@" \(\)")]
    private static partial Regex EmptyParentheses();

    [GeneratedRegex(@"[ \t]+\n")]
    private static partial Regex TrailingSpaces();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();

    private static IEnumerable<(TemplatePart Part, string Text)> Parts(TemplateSource source) =>
        [(TemplatePart.Subject, source.Subject ?? ""), (TemplatePart.Html, source.Html ?? ""), (TemplatePart.Text, source.Text ?? "")];

    private static bool TryParse(TemplatePart part, string text, out IFluidTemplate? template, out TemplateError? error)
    {
        if (Parser.TryParse(text, out template, out var message))
        {
            error = null;
            return true;
        }
        error = ToError(part, message ?? "Syntax error.");
        return false;
    }

    /// <summary>
    /// Fluid reports "End of tag '}}' was expected at (3:10)\nSource:\n..." (line:column, both 1-based). The position
    /// is taken from the first "at (l:c)"; the Source excerpt is dropped because the form shows the whole text.
    /// </summary>
    internal static TemplateError ToError(TemplatePart part, string message)
    {
        var firstLine = message.Split('\n', 2)[0].Trim();
        var match = Position().Match(firstLine);
        if (!match.Success) return new TemplateError(part, firstLine, null, null);
        var text = firstLine[..match.Index].TrimEnd();
        return new TemplateError(part, text.Length == 0 ? "Syntax error" : text, int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
    }

    [GeneratedRegex(@"\s*at \((\d+):(\d+)\)")]
    private static partial Regex Position();

    [GeneratedRegex(@"[\r\n]+")]
    private static partial Regex LineBreaks();

    public void Dispose() => _cache.Dispose();
}

/// <summary>
/// The parsed parts of one template version. Immutable and safe to render from many threads at once.
/// <see cref="Text"/> is null only when the text must be generated from each rendered HTML.
/// </summary>
public sealed record CompiledTemplate(IFluidTemplate Subject, IFluidTemplate Html, IFluidTemplate? Text, bool TextFromHtml = false);
