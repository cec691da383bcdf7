using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Tracking;

/// <summary>Counts of one event type: total and unique, each split human / machine.</summary>
public sealed record EventCounts(long HumanTotal, long HumanUnique, long MachineTotal, long MachineUnique)
{
    public long Total => HumanTotal + MachineTotal;
    public static readonly EventCounts None = new(0, 0, 0, 0);
}

public sealed record LinkClicks(int Index, string Url, long HumanTotal, long HumanUnique, long MachineTotal);

public sealed record CampaignTracking(bool TrackOpens, bool TrackClicks, EventCounts Opens, EventCounts Clicks, IReadOnlyList<LinkClicks> Links, long Unsubscribes = 0, long Complaints = 0);

public sealed record MessageHit(DateTime At, MessageEventType Type, bool IsMachine, bool IsUnique, int? LinkIndex, string? Url, string? UserAgent);

/// <summary>
/// Opens, clicks, unsubscribes and complaints for the campaign report and the message page, read from MessageEvents by the (CampaignId, Type)
/// and (MessageId, Type) indexes: one grouped query per report. (The dashboard's rollups are the scale answer for
/// workspace-wide figures; a campaign's events are read directly.)
/// </summary>
public static class TrackingReports
{
    public static async Task<CampaignTracking> ForCampaignAsync(SendCraftDbContext db, Campaign campaign, CancellationToken ct)
    {
        var counts = await db.MessageEvents.AsNoTracking()
            .Where(e => e.CampaignId == campaign.Id && (e.Type == MessageEventType.Open || e.Type == MessageEventType.Click
                || e.Type == MessageEventType.Unsubscribe || e.Type == MessageEventType.Complaint))
            .GroupBy(e => new { e.Type, e.IsMachine, e.IsUnique, e.LinkIndex })
            .Select(g => new { g.Key.Type, g.Key.IsMachine, g.Key.IsUnique, g.Key.LinkIndex, Count = g.LongCount() })
            .ToListAsync(ct);

        EventCounts Of(MessageEventType type)
        {
            var rows = counts.Where(c => c.Type == type).ToList();
            return new EventCounts(
                rows.Where(r => !r.IsMachine).Sum(r => r.Count), rows.Where(r => !r.IsMachine && r.IsUnique).Sum(r => r.Count),
                rows.Where(r => r.IsMachine).Sum(r => r.Count), rows.Where(r => r.IsMachine && r.IsUnique).Sum(r => r.Count));
        }

        // Per link: the content's baseline URLs name the links (a personalized link shows as its first recipient's URL).
        var urls = campaign.ContentId is { } contentId
            ? await db.TrackedLinkSets.AsNoTracking().Where(l => l.ContentId == contentId && l.MessageId == 0).Select(l => l.UrlsJson).FirstOrDefaultAsync(ct)
            : null;
        var baseline = urls is null ? [] : JsonSerializer.Deserialize<string[]>(urls) ?? [];
        // Per-link "unique" is not stored (IsUnique is per message and type); a link's human clicks are its total.
        var links = counts.Where(c => c.Type == MessageEventType.Click && c.LinkIndex is not null)
            .GroupBy(c => c.LinkIndex!.Value)
            .Select(g => new LinkClicks(g.Key, g.Key < baseline.Length ? baseline[g.Key] : $"link {g.Key + 1}",
                g.Where(r => !r.IsMachine).Sum(r => r.Count), g.Where(r => !r.IsMachine && r.IsUnique).Sum(r => r.Count),
                g.Where(r => r.IsMachine).Sum(r => r.Count)))
            .OrderByDescending(l => l.HumanTotal).ThenBy(l => l.Index).ToList();
        return new CampaignTracking(campaign.TrackOpens, campaign.TrackClicks, Of(MessageEventType.Open), Of(MessageEventType.Click), links,
            counts.Where(c => c.Type == MessageEventType.Unsubscribe).Sum(c => c.Count), counts.Where(c => c.Type == MessageEventType.Complaint).Sum(c => c.Count));
    }

    public static async Task<IReadOnlyList<MessageHit>> ForMessageAsync(SendCraftDbContext db, OutboundMessage message, int max, CancellationToken ct)
    {
        var events = await db.MessageEvents.AsNoTracking()
            .Where(e => e.MessageId == message.Id && (e.Type == MessageEventType.Open || e.Type == MessageEventType.Click))
            .OrderByDescending(e => e.Id).Take(max).ToListAsync(ct);
        if (events.Count == 0) return [];
        var sets = await db.TrackedLinkSets.AsNoTracking()
            .Where(l => l.ContentId == message.ContentId && (l.MessageId == 0 || l.MessageId == message.Id))
            .Select(l => new { l.MessageId, l.UrlsJson }).ToListAsync(ct);
        var own = sets.FirstOrDefault(s => s.MessageId == message.Id) ?? sets.FirstOrDefault();
        var urls = own is null ? [] : JsonSerializer.Deserialize<string[]>(own.UrlsJson) ?? [];
        return events.Select(e => new MessageHit(e.OccurredAt, e.Type, e.IsMachine, e.IsUnique, e.LinkIndex,
            e.LinkIndex is { } i && i < urls.Length ? urls[i] : null, e.UserAgent)).ToList();
    }
}
