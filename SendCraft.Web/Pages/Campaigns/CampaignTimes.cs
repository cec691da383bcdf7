namespace SendCraft.Web.Pages.Campaigns;

/// <summary>
/// Times of a campaign as the operator entered them: in the IANA time zone saved with the schedule, beside UTC (what is
/// stored). .NET on Linux reads IANA ids from the system's tzdata, so FindSystemTimeZoneById takes them as they are.
/// </summary>
public static class CampaignTimes
{
    public static TimeZoneInfo? Find(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        try { return TimeZoneInfo.FindSystemTimeZoneById(id.Trim()); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { return null; }
    }

    /// <summary>"2026-12-24 09:00 Europe/Paris" (or just UTC when no zone was given).</summary>
    public static string Local(DateTime utc, string? timeZoneId) =>
        !IsUtc(timeZoneId) && Find(timeZoneId) is { } zone
            ? $"{TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone):yyyy-MM-dd HH:mm} {timeZoneId}"
            : Utc(utc);

    public static string Utc(DateTime utc) => $"{utc:yyyy-MM-dd HH:mm} UTC";

    /// <summary>No zone, or one always at UTC's wall time (UTC, Etc/UTC): the local time would repeat the UTC one.</summary>
    public static bool IsUtc(string? timeZoneId) =>
        Find(timeZoneId) is not { } zone || (zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime);

    /// <summary>The zones offered in the schedule form: IANA ids known to this system, by name.</summary>
    public static IReadOnlyList<string> Zones { get; } = TimeZoneInfo.GetSystemTimeZones()
        .Select(z => z.Id).Where(id => id.Contains('/') || id == "UTC").Order(StringComparer.Ordinal).ToList();
}
