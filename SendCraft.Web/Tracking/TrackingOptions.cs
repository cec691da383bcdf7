using System.ComponentModel.DataAnnotations;

namespace SendCraft.Web.Tracking;

/// <summary>Settings of open and click tracking (section "Tracking"). See docs/tracking.md.</summary>
public sealed class TrackingOptions : IValidatableObject
{
    public const string Section = "Tracking";

    /// <summary>
    /// The address recipients reach this installation at, without a trailing slash: tracking URLs in sent mail start
    /// with it (e.g. https://mail.example.com). The default only suits a machine's own tests; set it in production.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5000";

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
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.Query))
            yield return new ValidationResult("Tracking:PublicBaseUrl must be an absolute http(s) URL such as https://mail.example.com.", [nameof(PublicBaseUrl)]);
        if (HoldBack < TimeSpan.Zero || HoldBack > TimeSpan.FromMinutes(1))
            yield return new ValidationResult("Tracking:HoldBack must be between 0 and 1 minute.", [nameof(HoldBack)]);
    }

    public string BaseUrl => PublicBaseUrl.TrimEnd('/');
}
