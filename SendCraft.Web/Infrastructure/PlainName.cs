using System.ComponentModel.DataAnnotations;

namespace SendCraft.Web.Infrastructure;

/// <summary>
/// The rule for names people give (contact names, display names, workspace names): one line of text, no control
/// characters (char.IsControl: CR, LF, tab, NUL, …). A name ends up in From/To headers, CSV exports and log lines,
/// where a line break would start a new header, row or line. One rule for the forms and the CSV import.
/// </summary>
public static class PlainName
{
    /// <summary>The message for a name that breaks the rule, or null when it is fine (null and empty are fine here).</summary>
    public static string? Problem(string? value, string field = "Name") =>
        value is not null && value.Any(char.IsControl)
            ? $"{field} cannot contain line breaks, tabs or other control characters."
            : null;
}

/// <summary><see cref="PlainName"/> as a data annotation for bound page inputs.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class PlainNameAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext context) =>
        PlainName.Problem(value as string, context.DisplayName) is { } problem
            ? new ValidationResult(problem, context.MemberName is { } member ? [member] : null)
            : ValidationResult.Success;
}
