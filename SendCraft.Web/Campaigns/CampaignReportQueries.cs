using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Pages.Campaigns;

namespace SendCraft.Web.Campaigns;

/// <summary>
/// The campaign report's breakdowns: recipient domains (from the rollup) and SMTP errors (from the campaign's failed,
/// deferred and bounced outbox rows, by the (CampaignId, Status, IsTest) index: few rows). Its opens, clicks and chart come from elsewhere (TrackingReports, DashboardQueries).
/// Timed at 10 million messages by bench/run dashboard.
/// </summary>
public static class CampaignReportQueries
{
    private static readonly MessageStatus[] ErrorStatuses = [MessageStatus.Failed, MessageStatus.Deferred, MessageStatus.Bounced];

    /// <summary>
    /// Accepted, failed and (later) bounced per recipient domain, the 20 largest, from the rollup (CampaignDomainStats,
    /// a minute or two behind); its cost does not grow with the campaign.
    /// </summary>
    public static async Task<List<DomainRow>> DomainsAsync(SendCraftDbContext db, long campaignId, CancellationToken ct) =>
        await db.CampaignDomainStats.AsNoTracking().Where(s => s.CampaignId == campaignId)
            .OrderByDescending(s => s.Sent + s.Failed).ThenBy(s => s.Domain).Take(20)
            .Select(s => new DomainRow(s.Domain, s.Sent, s.Failed, s.Bounced, s.Sent + s.Failed))
            .ToListAsync(ct);

    /// <summary>The 10 most frequent last SMTP responses of failed, deferred and bounced messages.</summary>
    public static async Task<List<ErrorRow>> ErrorsAsync(SendCraftDbContext db, long campaignId, CancellationToken ct)
    {
        var errors = await Rows(db, campaignId).Where(m => ErrorStatuses.Contains(m.Status) && m.LastSmtpResponse != null)
            .GroupBy(m => new { m.Status, m.LastSmtpResponse }).Select(g => new { g.Key.Status, g.Key.LastSmtpResponse, Count = g.LongCount() })
            .OrderByDescending(g => g.Count).Take(10).ToListAsync(ct);
        return errors.Select(e => new ErrorRow(e.Status, e.LastSmtpResponse!, e.Count)).ToList();
    }

    private static IQueryable<OutboundMessage> Rows(SendCraftDbContext db, long campaignId) =>
        db.OutboundMessages.AsNoTracking().Where(m => m.CampaignId == campaignId && !m.IsTest);
}
