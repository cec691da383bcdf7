using System.Text.Json;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages;

/// <summary>
/// The workspace at a glance: messages sent per day over the last 14 days and their outcome. Computed from the
/// outbox with the (WorkspaceId, Status, Id) index for now; at millions of messages this should read from daily
/// rollups instead (planned with the analytics work).
/// </summary>
public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace workspace, TimeProvider clock) : PageModel
{
    private const int Days = 14;

    public string WorkspaceName => workspace.Name;
    public IReadOnlyList<(string Label, string Value, string Icon)> Stats { get; private set; } = [];
    public string ChartLabelsJson { get; private set; } = "[]";
    public string ChartValuesJson { get; private set; } = "[]";
    public bool HasMessages { get; private set; }

    public async Task OnGetAsync()
    {
        var today = clock.GetUtcNow().UtcDateTime.Date;
        var since = today.AddDays(1 - Days);
        var sentPerDay = await db.OutboundMessages.AsNoTracking()
            .Where(m => m.Status == MessageStatus.Sent && m.SentAt >= since)
            .GroupBy(m => m.SentAt!.Value.Date)
            .Select(g => new { Day = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Day, x => x.Count);
        var outcomes = await db.OutboundMessages.AsNoTracking()
            .Where(m => m.CreatedAt >= since)
            .GroupBy(m => m.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Status, x => x.Count);

        var sent = outcomes.GetValueOrDefault(MessageStatus.Sent);
        var finished = sent + outcomes.GetValueOrDefault(MessageStatus.Failed) + outcomes.GetValueOrDefault(MessageStatus.Bounced);
        var waiting = outcomes.GetValueOrDefault(MessageStatus.Queued) + outcomes.GetValueOrDefault(MessageStatus.Sending) + outcomes.GetValueOrDefault(MessageStatus.Deferred);
        HasMessages = outcomes.Count > 0;
        Stats =
        [
            ("Sent", sent.ToString("N0"), "send-check"),
            ("Delivered rate", finished == 0 ? "–" : $"{100.0 * sent / finished:0.0} %", "check2-circle"),
            ("Waiting or retrying", waiting.ToString("N0"), "hourglass-split"),
            ("Members", (await db.WorkspaceMembers.CountAsync()).ToString("N0"), "people"),
        ];
        var days = Enumerable.Range(0, Days).Select(i => since.AddDays(i)).ToList();
        ChartLabelsJson = JsonSerializer.Serialize(days.Select(d => d.ToString("MMM d")));
        ChartValuesJson = JsonSerializer.Serialize(days.Select(d => sentPerDay.GetValueOrDefault(d)));
    }
}
