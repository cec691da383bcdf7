using SendCraft.Web.Campaigns;
using SendCraft.Web.Data;

namespace SendCraft.Web.Pages.Campaigns;

/// <summary>What the progress panel shows: the campaign, its counters, its pace, and whether the viewer may act on it.</summary>
/// <param name="Polled">Rendered for an htmx request (the poll or a button), not inside the full page.</param>
public sealed record ProgressView(Campaign Campaign, CampaignTotals Totals, double PerMinute, TimeSpan? Eta, bool CanControl, bool Polled = false)
{
    /// <summary>The panel polls itself while something can still change without anyone acting.</summary>
    public bool IsLive => Campaign.Status is CampaignStatus.Sending or CampaignStatus.Paused or CampaignStatus.Scheduled;

    /// <summary>Done out of expanded, as a whole percentage.</summary>
    public int Percent => Campaign.Expanded == 0 ? (Campaign.Status == CampaignStatus.Sent ? 100 : 0)
        : (int)Math.Min(100, Totals.Done * 100 / Campaign.Expanded);
}

/// <summary>The preview as one contact (or sample values): the rendered parts, or why they could not be rendered.</summary>
public sealed record CampaignPreview(string? ContactEmail, bool IsSample, string? Subject, string? Html, string? Text, IReadOnlyList<string> Problems);

public sealed record DomainRow(string Domain, long Sent, long Failed, long Bounced, long Total);
public sealed record ErrorRow(MessageStatus Status, string Response, long Count);

/// <summary>
/// The report of a campaign that has sent something: totals, domains, errors, and its chart over time (ChartJson, see
/// Analytics/StatsChart) for ChartRange.
/// </summary>
public sealed record CampaignReport(
    CampaignTotals Totals, IReadOnlyList<DomainRow> Domains, IReadOnlyList<ErrorRow> Errors,
    SendCraft.Web.Analytics.StatsRange ChartRange, string ChartJson)
{
    /// <summary>Opens and clicks (see Tracking/TrackingReports).</summary>
    public SendCraft.Web.Tracking.CampaignTracking? Tracking { get; init; }
}

public sealed record RecipientRow(long Id, string Recipient, MessageStatus Status, DateTime? SentAt, int Attempts, string? LastSmtpResponse);

/// <summary>A page of the recipient list: keyset by Id ascending, with its filters.</summary>
public sealed record RecipientPage(long CampaignId, IReadOnlyList<RecipientRow> Rows, MessageStatus? Status, string? Email, long? After, long? Next)
{
    public string Url(long? after) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"/campaigns/{CampaignId}", new Dictionary<string, string?>
        {
            ["handler"] = "Recipients", ["status"] = Status?.ToString(), ["email"] = Email, ["after"] = after?.ToString(),
        }.Where(kv => !string.IsNullOrEmpty(kv.Value)));

    public string ExportUrl =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"/campaigns/{CampaignId}", new Dictionary<string, string?>
        {
            ["handler"] = "Export", ["status"] = Status?.ToString(), ["email"] = Email,
        }.Where(kv => !string.IsNullOrEmpty(kv.Value)));
}
