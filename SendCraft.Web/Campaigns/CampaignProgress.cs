using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Campaigns;

/// <summary>A campaign's counters: its outbox rows by status (test sends excluded) and what expansion skipped.</summary>
public sealed record CampaignTotals(
    long Queued, long Sending, long Sent, long Deferred, long Failed, long Bounced, long Suppressed, long Cancelled, long Paused,
    long Expanded, long Skipped)
{
    /// <summary>Messages that will still be tried.</summary>
    public long Pending => Queued + Sending + Deferred + Paused;
    public long Done => Sent + Failed + Bounced + Suppressed + Cancelled;

    public static async Task<CampaignTotals> ForAsync(SendCraftDbContext db, Campaign campaign, CancellationToken ct)
    {
        // One range of the (CampaignId, Status, IsTest) index: a count per status, without reading the rows.
        var byStatus = await db.OutboundMessages.IgnoreQueryFilters()
            .Where(m => m.CampaignId == campaign.Id && !m.IsTest)
            .GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        long Of(MessageStatus s) => byStatus.GetValueOrDefault(s);
        return new CampaignTotals(Of(MessageStatus.Queued), Of(MessageStatus.Sending), Of(MessageStatus.Sent), Of(MessageStatus.Deferred),
            Of(MessageStatus.Failed), Of(MessageStatus.Bounced), Of(MessageStatus.Suppressed), Of(MessageStatus.Cancelled), Of(MessageStatus.Paused),
            campaign.Expanded, campaign.SkippedSuppressed + campaign.SkippedUnsubscribed + campaign.SkippedInvalid);
    }

    /// <summary>Messages a minute since the start, and the time the rest would take at that pace (null before there is a pace).</summary>
    public (double PerMinute, TimeSpan? Eta) Pace(Campaign campaign, DateTime now)
    {
        if (campaign.StartedAt is not { } started || Sent + Failed + Bounced == 0) return (0, null);
        var minutes = Math.Max((now - started).TotalMinutes, 1.0 / 60);
        var perMinute = (Sent + Failed + Bounced) / minutes;
        // Before expansion ends, what is left includes contacts not expanded yet; the last audience count is not kept, so
        // the ETA covers the rows that exist (it grows while expansion runs ahead of sending).
        return (perMinute, campaign.Status == CampaignStatus.Sending && Pending > 0 ? TimeSpan.FromMinutes(Pending / perMinute) : null);
    }
}

/// <summary>The progress panel's view of a campaign (Realtime's CampaignProgressView) from its row and totals.</summary>
public static class CampaignProgressViews
{
    public static Realtime.CampaignProgressView From(Campaign campaign, CampaignTotals totals, DateTime now)
    {
        var (perMinute, eta) = totals.Pace(campaign, now);
        var total = campaign.ExpandedAt is null ? Math.Max(totals.Expanded, totals.Pending + totals.Done) : totals.Expanded;
        return new Realtime.CampaignProgressView(campaign.Id, campaign.WorkspaceId, campaign.Name, campaign.Status.ToString(),
            total, totals.Expanded, totals.Queued + totals.Paused, totals.Sending, totals.Sent, totals.Deferred, totals.Failed, totals.Bounced,
            totals.Suppressed, totals.Cancelled, totals.Skipped, perMinute, eta, now);
    }
}
