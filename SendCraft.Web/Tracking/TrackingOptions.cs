using System.ComponentModel.DataAnnotations;

namespace SendCraft.Web.Tracking;

/// <summary>Settings of open and click tracking (section "Tracking"). See docs/tracking.md. Its URLs start with PublicBaseUrl (PublicAddress).</summary>
public sealed class TrackingOptions : IValidatableObject
{
    public const string Section = "Tracking";

    /// <summary>
    /// Hits buffered between the endpoints and the event writer. When full, new hits are dropped and counted (the
    /// redirect still works): this is also the most a crash can lose. About 200 bytes a hit.
    /// </summary>
    [Range(1_000, 10_000_000)] public int ChannelCapacity { get; set; } = 100_000;

    /// <summary>Most events one insert batch writes.</summary>
    [Range(1, 10_000)] public int BatchSize { get; set; } = 2_000;

    /// <summary>
    /// How long the writer holds a click before writing it, so a link scanner's burst (several links of one message in
    /// a second) is judged as a whole; also the writer's pace.
    /// </summary>
    public TimeSpan HoldBack { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages whose links and details the redirect keeps in memory (each a few hundred bytes).</summary>
    [Range(100, 10_000_000)] public int CachedMessages { get; set; } = 200_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HoldBack < TimeSpan.Zero || HoldBack > TimeSpan.FromMinutes(1))
            yield return new ValidationResult("Tracking:HoldBack must be between 0 and 1 minute.", [nameof(HoldBack)]);
    }
}
