using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Templating;

namespace SendCraft.Web.Campaigns;

/// <summary>The outcome of an operator's action on a campaign: done, or refused with the reasons to show.</summary>
public sealed record ControlResult(IReadOnlyList<string> Problems)
{
    public static readonly ControlResult Done = new([]);
    public static ControlResult Refused(params string[] problems) => new(problems);
    public bool Succeeded => Problems.Count == 0;
}

/// <summary>
/// Every change of a campaign's state (send, schedule, unschedule, pause, resume, cancel), in the current workspace.
/// Each is a conditional update from the states it is allowed in, so two operators (or an operator and the job) racing
/// cannot both act. Pausing and cancelling act on the campaign's waiting outbox rows too: paused rows are never claimed,
/// cancelled ones never sent; rows already on the wire finish.
/// </summary>
public sealed class CampaignControl(
    SendCraftDbContext db, CampaignScheduler scheduler, CampaignAudience audience, TemplateRenderer renderer,
    OutboxSignal signal, CampaignNotices notices, CampaignGate gate, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>What stops a campaign from being sent now: empty audience, no active account, template errors.</summary>
    public async Task<IReadOnlyList<string>> ProblemsAsync(Campaign campaign, CancellationToken ct = default)
    {
        var problems = new List<string>();
        var account = campaign.SmtpAccountId is { } id ? await db.SmtpAccounts.Include(a => a.Domain).FirstOrDefaultAsync(a => a.Id == id, ct) : null;
        if (account is null) problems.Add("Choose the SMTP account it is sent from.");
        else if (!account.IsActive || account.Domain is not { IsActive: true }) problems.Add($"The SMTP account {account.FromEmail} or its domain is inactive.");
        if (string.IsNullOrWhiteSpace(campaign.Subject)) problems.Add("The subject is empty.");
        if (string.IsNullOrWhiteSpace(campaign.HtmlBody) && string.IsNullOrWhiteSpace(campaign.TextBody)) problems.Add("The message has no content.");
        var check = renderer.Check(new TemplateSource(campaign.Subject, campaign.HtmlBody, campaign.TextBody));
        problems.AddRange(check.Errors.Select(e => "Template error: " + e));
        var included = campaign.Lists.Where(l => !l.Excluded).Select(l => l.ListId).ToList();
        if (included.Count == 0) problems.Add("Choose at least one list to send to.");
        else if ((await audience.CountAsync(included, campaign.Lists.Where(l => l.Excluded).Select(l => l.ListId).ToList(), ct)).Recipients <= 0)
            problems.Add("Nobody would receive it: the audience is empty (or everyone in it is unsubscribed or suppressed).");
        return problems;
    }

    public Task<ControlResult> SendNowAsync(long id, CancellationToken ct = default) => ScheduleAsync(id, null, null, ct);

    /// <param name="at">UTC; null to send now.</param>
    public async Task<ControlResult> ScheduleAsync(long id, DateTime? at, string? timeZoneId, CancellationToken ct = default)
    {
        var campaign = await db.Campaigns.Include(c => c.Lists).FirstOrDefaultAsync(c => c.Id == id, ct);
        if (campaign is null) return ControlResult.Refused("The campaign does not exist.");
        if (!campaign.IsEditable) return ControlResult.Refused($"The campaign is {campaign.Status.ToString().ToLowerInvariant()}; only a draft or a scheduled campaign can be sent or scheduled.");
        if (at is { } when && when <= Now) return ControlResult.Refused("That time has passed: choose a time in the future, or send it now.");
        var problems = await ProblemsAsync(campaign, ct);
        if (problems.Count > 0) return new ControlResult(problems);

        var now = Now;
        var updated = await db.Campaigns.Where(c => c.Id == id && (c.Status == CampaignStatus.Draft || c.Status == CampaignStatus.Scheduled))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Scheduled).SetProperty(c => c.ScheduledAt, at ?? now)
                .SetProperty(c => c.TimeZoneId, timeZoneId).SetProperty(c => c.StatusReason, (string?)null).SetProperty(c => c.UpdatedAt, now), ct);
        if (updated == 0) return ControlResult.Refused("The campaign changed meanwhile; reload the page.");
        if (at is { } time) await scheduler.ScheduleAsync(id, time, ct);
        else await scheduler.RunNowAsync(id, ct);
        return ControlResult.Done;
    }

    /// <summary>A scheduled campaign back to draft (before it starts).</summary>
    public async Task<ControlResult> UnscheduleAsync(long id, CancellationToken ct = default)
    {
        var updated = await db.Campaigns.Where(c => c.Id == id && c.Status == CampaignStatus.Scheduled)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Draft).SetProperty(c => c.ScheduledAt, (DateTime?)null)
                .SetProperty(c => c.UpdatedAt, Now), ct);
        if (updated == 0) return ControlResult.Refused("Only a scheduled campaign that has not started can be unscheduled.");
        await scheduler.UnscheduleAsync(id, ct);
        return ControlResult.Done;
    }

    /// <param name="systemReason">Set when the system pauses it (an account disabled): kept on the campaign and notified.</param>
    public async Task<ControlResult> PauseAsync(long id, string? systemReason = null, CancellationToken ct = default)
    {
        var now = Now;
        var updated = await db.Campaigns.Where(c => c.Id == id && c.Status == CampaignStatus.Sending)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Paused).SetProperty(c => c.PausedAt, now)
                .SetProperty(c => c.StatusReason, systemReason).SetProperty(c => c.UpdatedAt, now), ct);
        if (updated == 0) return ControlResult.Refused("Only a campaign that is sending can be paused.");
        gate.Forget(id);
        await HoldWaitingRowsAsync(id, ct);
        if (systemReason is not null && await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) is { } campaign)
            await notices.PausedBySystemAsync(campaign, systemReason, ct);
        return ControlResult.Done;
    }

    /// <summary>Waiting rows of a paused campaign are set aside (status Paused): the claim never takes them.</summary>
    internal Task<int> HoldWaitingRowsAsync(long id, CancellationToken ct) =>
        db.OutboundMessages.Where(m => m.CampaignId == id && !m.IsTest && (m.Status == MessageStatus.Queued || m.Status == MessageStatus.Deferred))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Paused), ct);

    public async Task<ControlResult> ResumeAsync(long id, CancellationToken ct = default)
    {
        var campaign = await db.Campaigns.Include(c => c.Lists).AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (campaign is not { Status: CampaignStatus.Paused }) return ControlResult.Refused("Only a paused campaign can be resumed.");
        var account = campaign.SmtpAccountId is { } accountId ? await db.SmtpAccounts.Include(a => a.Domain).FirstOrDefaultAsync(a => a.Id == accountId, ct) : null;
        if (account is null || !account.IsActive || account.Domain is not { IsActive: true })
            return ControlResult.Refused("Its SMTP account is missing or inactive: activate it (or its domain) first.");

        var now = Now;
        // With a campaign rate, waiting rows keep their spacing, moved on by the time spent paused.
        var shift = campaign.RatePerMinute is > 0 && campaign.PausedAt is { } pausedAt ? (now - pausedAt).TotalSeconds : 0;
        var updated = await db.Campaigns.Where(c => c.Id == id && c.Status == CampaignStatus.Paused)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Sending).SetProperty(c => c.PausedAt, (DateTime?)null)
                .SetProperty(c => c.StatusReason, (string?)null).SetProperty(c => c.UpdatedAt, now)
                .SetProperty(c => c.NextDueAt, c => c.NextDueAt == null ? null : c.NextDueAt.Value.AddSeconds(shift)), ct);
        if (updated == 0) return ControlResult.Refused("The campaign changed meanwhile; reload the page.");
        gate.Forget(id);
        var rows = db.OutboundMessages.Where(m => m.CampaignId == id && !m.IsTest && m.Status == MessageStatus.Paused);
        if (shift > 0) await rows.ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Queued).SetProperty(m => m.DueAt, m => m.DueAt.AddSeconds(shift)), ct);
        else await rows.ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Queued).SetProperty(m => m.DueAt, now), ct);
        if (campaign.ExpandedAt is null) await scheduler.RunNowAsync(id, ct);
        signal.Notify();
        return ControlResult.Done;
    }

    public async Task<ControlResult> CancelAsync(long id, CancellationToken ct = default)
    {
        var now = Now;
        var updated = await db.Campaigns.Where(c => c.Id == id &&
                (c.Status == CampaignStatus.Scheduled || c.Status == CampaignStatus.Sending || c.Status == CampaignStatus.Paused))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Cancelled).SetProperty(c => c.FinishedAt, now)
                .SetProperty(c => c.UpdatedAt, now), ct);
        if (updated == 0) return ControlResult.Refused("Only a scheduled, sending or paused campaign can be cancelled.");
        gate.Forget(id);
        await scheduler.UnscheduleAsync(id, ct);
        await CancelWaitingRowsAsync(id, ct);
        return ControlResult.Done;
    }

    public const string CancelledResponse = "Not sent: its campaign was cancelled.";

    /// <summary>Waiting and paused rows of a cancelled campaign are cancelled: none is ever sent.</summary>
    internal Task<int> CancelWaitingRowsAsync(long id, CancellationToken ct) =>
        db.OutboundMessages.Where(m => m.CampaignId == id && !m.IsTest &&
                (m.Status == MessageStatus.Queued || m.Status == MessageStatus.Deferred || m.Status == MessageStatus.Paused))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Cancelled).SetProperty(m => m.LastSmtpResponse, CancelledResponse), ct);
}
