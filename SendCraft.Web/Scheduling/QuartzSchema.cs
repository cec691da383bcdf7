using System.Text.RegularExpressions;
using Quartz;

namespace SendCraft.Web.Scheduling;

/// <summary>
/// The tables of Quartz's persistent job store, created by the project's own migrations (one per provider) from the
/// schema script that ships inside the Quartz assembly, so the tables always match the Quartz version the migration was
/// written for. Every statement creates only what is missing. Quartz itself only checks the schema at start-up
/// (<see cref="SchemaProvisioning.Validate"/>): a Quartz upgrade that changes it needs a new migration calling this again.
/// </summary>
public static partial class QuartzSchema
{
    public const string TablePrefix = "QRTZ_";

    /// <summary>The schema's statements for SQLite or MySQL, with our table prefix.</summary>
    public static IReadOnlyList<string> Statements(bool mySql)
    {
        var resource = $"Quartz.Impl.AdoJobStore.Schema.create_{(mySql ? "mysql_innodb" : "sqlite")}.sql";
        using var stream = typeof(IScheduler).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The Quartz assembly has no {resource}: its schema scripts moved; see Scheduling/QuartzSchema.cs.");
        using var reader = new StreamReader(stream);
        // Statements are separated by a line reading "--;;" ({0}: table prefix, {1}: the prefix in index names).
        return StatementSeparator().Split(reader.ReadToEnd())
            .Select(s => string.Join('\n', s.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim())
            .Where(s => s.Length > 0)
            .Select(s => s.Replace("{0}", TablePrefix, StringComparison.Ordinal).Replace("{1}", TablePrefix, StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>The tables the statements create, for the migration's Down.</summary>
    public static IReadOnlyList<string> Tables(bool mySql) =>
        Statements(mySql).Select(s => CreateTable().Match(s)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"^--;;\s*$", RegexOptions.Multiline)]
    private static partial Regex StatementSeparator();

    [GeneratedRegex(@"CREATE TABLE IF NOT EXISTS\s+(\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();
}
