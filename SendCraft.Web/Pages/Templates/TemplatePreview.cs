using SendCraft.Web.Templating;
using SendCraft.Web.Unsubscribe;

namespace SendCraft.Web.Pages.Templates;

/// <summary>A used variable and whether the sample data gives it a value.</summary>
public sealed record VariableStatus(string Path, bool HasSample);

/// <summary>What the preview panel shows: the rendered parts, or why they could not be rendered.</summary>
public sealed record TemplatePreview(
    string? Subject, string? Html, string? Text,
    IReadOnlyList<TemplateError> Errors, IReadOnlyList<VariableStatus> Variables, IReadOnlyList<string> UnknownFilters,
    string? SampleDataError, string? RenderError)
{
    public IEnumerable<string> MissingSamples => Variables.Where(v => !v.HasSample).Select(v => v.Path);

    /// <summary>Checks and renders <paramref name="source"/> with <paramref name="sampleJson"/>, never throwing for user input.</summary>
    public static async Task<TemplatePreview> BuildAsync(TemplateRenderer renderer, TemplateSource source, string? sampleJson)
    {
        var check = renderer.Check(source);
        var sample = SampleData.Parse(sampleJson, out var sampleError);
        // Built-in variables ({{ unsubscribe_url }}) have a value for every recipient: sample links unless the sample data sets them.
        if (sample is not null) UnsubscribeLinks.AddExampleFields(sample);
        var variables = check.Variables.Select(v => new VariableStatus(v, sample is not null && SampleData.Has(sample, v))).ToList();
        if (!check.IsValid)
            return new TemplatePreview(null, null, null, check.Errors, variables, check.UnknownFilters, sampleError, null);
        try
        {
            var rendered = await renderer.RenderAsync(renderer.Compile(source), sample ?? []);
            return new TemplatePreview(rendered.Subject, rendered.Html, rendered.Text, [], variables, check.UnknownFilters, sampleError, null);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // A template that parses can still fail on its data (a loop past MaxSteps, a bad date format).
            return new TemplatePreview(null, null, null, [], variables, check.UnknownFilters, sampleError, e.Message);
        }
    }
}
