namespace SendCraft.Web.Templating;

/// <summary>The three Liquid sources of an email template.</summary>
public sealed record TemplateSource(string Subject, string Html, string Text);

/// <summary>
/// Identifies one saved state of a template: compiled templates are cached under it, so a save (which bumps
/// <see cref="Version"/>) is never served from a stale compilation.
/// </summary>
public readonly record struct TemplateVersion(long TemplateId, int Version);

/// <summary>Which of the three sources a problem is in.</summary>
public enum TemplatePart { Subject, Html, Text }

/// <summary>A Liquid syntax error, with the 1-based line and column Fluid reported (null when it gave none).</summary>
public sealed record TemplateError(TemplatePart Part, string Message, int? Line, int? Column)
{
    public string PartLabel => Part switch { TemplatePart.Subject => "Subject", TemplatePart.Html => "HTML body", _ => "Text body" };

    public override string ToString() =>
        Line is { } line ? $"{PartLabel}, line {line}, column {Column}: {Message}" : $"{PartLabel}: {Message}";
}

/// <summary>The outcome of checking a template: syntax errors, the variables it reads, and filters Fluid does not know.</summary>
public sealed record TemplateCheck(IReadOnlyList<TemplateError> Errors, IReadOnlyList<string> Variables, IReadOnlyList<string> UnknownFilters)
{
    public bool IsValid => Errors.Count == 0;
}

public sealed record RenderedEmail(string Subject, string Html, string Text);

/// <summary>Thrown when a template that is asked to render does not compile.</summary>
public sealed class TemplateSyntaxException(IReadOnlyList<TemplateError> errors)
    : Exception("The template has syntax errors: " + string.Join("; ", errors))
{
    public IReadOnlyList<TemplateError> Errors { get; } = errors;
}
