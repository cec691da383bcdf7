using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Pages.Campaigns;

namespace SendCraft.Web.Campaigns;

/// <summary>
/// The campaign report's breakdowns read from the campaign's outbox rows (by the (CampaignId, Status, IsTest) index):
/// recipient domains and SMTP errors. Its opens, clicks and chart come from elsewhere (TrackingReports, DashboardQueries).
/// Timed at 10 million messages by bench/run dashboard.
/// </summary>
public static class CampaignReportQueries
{
    private static readonly MessageStatus[] ErrorStatuses = [MessageStatus.Failed, MessageStatus.Deferred, MessageStatus.Bounced];

    /// <summary>Sent, failed and bounced per recipient domain, the 20 largest.</summary>
    public static async Task<List<DomainRow>> DomainsAsync(SendCraftDbContext db, long campaignId, CancellationToken ct)
    {
        var byDomain = await Rows(db, campaignId)
            .Where(m => m.Status == MessageStatus.Sent || m.Status == MessageStatus.Failed || m.Status == MessageStatus.Bounced)
            .Select(m => new { Domain = m.Recipient.Substring(m.Recipient.IndexOf("@") + 1), m.Status })
            .GroupBy(x => new { x.Domain, x.Status }).Select(g => new { g.Key.Domain, g.Key.Status, Count = g.LongCount() })
            .ToListAsync(ct);
        return byDomain.GroupBy(x => x.Domain)
            .Select(g => new DomainRow(g.Key,
                g.Where(x => x.Status == MessageStatus.Sent).Sum(x => x.Count),
                g.Where(x => x.Status == MessageStatus.Failed).Sum(x => x.Count),
                g.Where(x => x.Status == MessageStatus.Bounced).Sum(x => x.Count),
                g.Sum(x => x.Count)))
            .OrderByDescending(d => d.Total).ThenBy(d => d.Domain, StringComparer.Ordinal).Take(20).ToList();
    }

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
