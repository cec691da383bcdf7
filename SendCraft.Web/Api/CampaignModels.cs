using System.ComponentModel;
using System.Text.Json;
using SendCraft.Web.Data;

namespace SendCraft.Web.Api;

/// <summary>A campaign draft: POST /campaigns creates one; PATCH /campaigns/{id} changes the fields given (drafts only).</summary>
public sealed class CampaignRequest
{
    [Description("At most 200 characters. With template_id and no name, the template's name.")]
    public string? Name { get; set; }
    [Description("Liquid, e.g. Hello {{ first_name | default: \"there\" }}. With template_id and no subject, the template's.")]
    public string? Subject { get; set; }
    [Description("Liquid HTML body. With template_id and no html, the template's.")]
    public string? Html { get; set; }
    [Description("Liquid text body (generated from the HTML when empty). With template_id and no text, the template's.")]
    public string? Text { get; set; }
    [Description("A template of the workspace whose subject, HTML and text are copied into the campaign (the campaign keeps its own copy).")]
    public long? TemplateId { get; set; }
    [Description("The active SMTP account the campaign is sent from.")]
    public long? SmtpAccountId { get; set; }
    [Description("The campaign's own limit in messages per minute (1 to 1,000,000), on top of the account's; 0 for none.")]
    public int? RatePerMinute { get; set; }
    [Description("Add an open pixel to each message (see docs/tracking.md). Default on for a new campaign.")]
    public bool? TrackOpens { get; set; }
    [Description("Rewrite the HTML's links to signed click-tracking URLs (see docs/tracking.md). Default on for a new campaign.")]
    public bool? TrackClicks { get; set; }
    [Description("Lists to send to (at least one). On PATCH, replaces the lists sent to.")]
    public List<long>? ListIds { get; set; }
    [Description("Lists whose members are left out. On PATCH, replaces the excluded lists.")]
    public List<long>? ExcludedListIds { get; set; }
}

public sealed class ScheduleRequest
{
    [Description("When to start, in the future: an ISO 8601 time with Z or an offset, e.g. 2026-12-24T08:00:00Z.")]
    public DateTimeOffset? SendAt { get; set; }
}

/// <summary>The numbers of the campaign page's progress panel (the same query, CampaignTotals).</summary>
/// <param name="Total">Recipients so far: the audience once expansion is done.</param>
/// <param name="Skipped">Audience contacts not mailed: suppressed, unsubscribed or with an invalid address.</param>
/// <param name="EtaSeconds">At the current pace, while sending; null otherwise.</param>
public sealed record CampaignProgressDto(long Total, long Expanded, long Queued, long Sending, long Sent, long Deferred, long Failed,
    long Bounced, long Suppressed, long Cancelled, long Skipped, double PerMinute, long? EtaSeconds);

public sealed record CampaignView(long Id, string Name, string Status, string? StatusReason, string Subject, string Html, string Text,
    long? TemplateId, long? SmtpAccountId, int? RatePerMinute, bool TrackOpens, bool TrackClicks, IReadOnlyList<long> ListIds, IReadOnlyList<long> ExcludedListIds,
    DateTime? ScheduledAt, DateTime CreatedAt, DateTime UpdatedAt, DateTime? StartedAt, DateTime? PausedAt, DateTime? FinishedAt,
    CampaignProgressDto Progress);

public sealed record CampaignSummary(long Id, string Name, string Status, string Subject, DateTime? ScheduledAt, DateTime CreatedAt,
    DateTime? StartedAt, DateTime? FinishedAt, long Expanded);

public sealed record CampaignPage(IReadOnlyList<CampaignSummary> Data, string? NextCursor);

public static class CampaignStatusNames
{
    public static string Of(CampaignStatus s) => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString());

    public static CampaignStatus? Parse(string value) =>
        Enum.GetValues<CampaignStatus>().Where(s => Of(s) == value).Select(s => (CampaignStatus?)s).FirstOrDefault();

    public static string Choices => string.Join(", ", Enum.GetValues<CampaignStatus>().Select(Of));
}
