using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Templating;
using SendCraft.Web.Webhooks;

namespace SendCraft.Web.Campaigns;

/// <summary>
/// What the campaign job does: start a scheduled campaign (exactly once: a conditional Scheduled → Sending update),
/// freeze its content, then expand its audience. Run again after a crash or a resume, it picks up where it stopped.
/// </summary>
public sealed class CampaignRunner(
    SendCraftDbContext db, WorkspaceScope scope, CampaignExpander expander, TemplateRenderer renderer, CampaignNotices notices,
    WebhookEvents webhooks, TimeProvider clock, ILogger<CampaignRunner> log)
{
    public async Task RunAsync(long campaignId, CancellationToken ct)
    {
        var campaign = await db.Campaigns.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, ct);
        if (campaign is null) return;
        using var _ = scope.Enter(campaign.WorkspaceId);

        if (campaign.Status == CampaignStatus.Scheduled)
        {
            if (await StartAsync(campaign, ct) is { } refused)
            {
                await FailAsync(campaign, refused, ct);
                return;
            }
            var now = clock.GetUtcNow().UtcDateTime;
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                var started = await db.Campaigns.Where(c => c.Id == campaignId && c.Status == CampaignStatus.Scheduled)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Sending).SetProperty(c => c.StartedAt, now)
                        .SetProperty(c => c.UpdatedAt, now), ct);
                if (started == 0) return; // unscheduled or cancelled meanwhile
                // The webhook is committed with the start, so it is sent exactly when the campaign did start.
                await webhooks.EnqueueAsync(campaign.WorkspaceId, WebhookEventTypes.CampaignStarted, CampaignEvent(campaign, now), ct);
                await tx.CommitAsync(ct);
            }
            log.LogInformation("Campaign {Campaign} started", campaignId);
            await notices.StartedAsync(campaign, ct);
        }
        await expander.ExpandAsync(campaignId, ct);
    }

    /// <summary>Checks what can break since scheduling and freezes the content. Returns why it cannot start, or null.</summary>
    private async Task<string?> StartAsync(Campaign campaign, CancellationToken ct)
    {
        var account = campaign.SmtpAccountId is { } id
            ? await db.SmtpAccounts.Include(a => a.Domain).FirstOrDefaultAsync(a => a.Id == id, ct)
            : null;
        if (account is null) return "Its SMTP account no longer exists.";
        if (!account.IsActive || account.Domain is not { IsActive: true }) return $"Its SMTP account {account.FromEmail} (or its domain) is inactive.";
        var check = renderer.Check(new TemplateSource(campaign.Subject, campaign.HtmlBody, campaign.TextBody));
        if (!check.IsValid) return "Its content has template errors: " + string.Join("; ", check.Errors);
        if (campaign.ContentId is not null) return null;

        var content = new MessageContent
        {
            FromAddress = account.FromEmail,
            FromName = account.FromName,
            Subject = campaign.Subject,
            HtmlBody = campaign.HtmlBody,
            TextBody = campaign.TextBody,
            PersonalizedPerRecipient = true,
            TrackOpens = campaign.TrackOpens,
            TrackClicks = campaign.TrackClicks,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.MessageContents.Add(content);
        await db.SaveChangesAsync(ct);
        await db.Campaigns.Where(c => c.Id == campaign.Id && c.ContentId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ContentId, content.Id), ct);
        return null;
    }

    internal static object CampaignEvent(Campaign campaign, DateTime at) => new { campaign_id = campaign.Id, name = campaign.Name, at };

    private async Task FailAsync(Campaign campaign, string reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var failed = await db.Campaigns.Where(c => c.Id == campaign.Id && c.Status == CampaignStatus.Scheduled)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Failed).SetProperty(c => c.StatusReason, reason)
                .SetProperty(c => c.FinishedAt, now).SetProperty(c => c.UpdatedAt, now), ct);
        if (failed == 0) return;
        log.LogWarning("Campaign {Campaign} could not start: {Reason}", campaign.Id, reason);
        await notices.FailedAsync(campaign, reason, ct);
    }
}
