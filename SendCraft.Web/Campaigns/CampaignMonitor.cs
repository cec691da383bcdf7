using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;
using SendCraft.Web.Realtime;
using SendCraft.Web.Sending;

namespace SendCraft.Web.Campaigns;

/// <summary>
/// Watches running campaigns on instances that run workers: closes a campaign once it is expanded and nothing of it is
/// left to send, pauses one whose account was disabled, keeps paused and cancelled campaigns' late rows (a deferral
/// recorded after the pause) out of the queue, and restarts a campaign job that was lost (a schedule written to the
/// database whose Quartz trigger was not). Every instance may do this at once: each change is a conditional update.
/// </summary>
public sealed class CampaignMonitor(
    IServiceScopeFactory scopes, ICampaignProgressPublisher progress, IOptions<CampaignOptions> options, IOptions<SendingOptions> sending,
    TimeProvider clock, ILogger<CampaignMonitor> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!sending.Value.WorkersEnabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAllAsync(stoppingToken);
                await Task.Delay(options.Value.MonitorInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogError(e, "Checking running campaigns failed; retrying shortly");
                try { await Task.Delay(options.Value.MonitorInterval, clock, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    public async Task CheckAllAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var recentlyCancelled = now.AddMinutes(-15);
        var overdue = now.AddMinutes(-1);
        var campaigns = await db.Campaigns.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.Status == CampaignStatus.Sending || c.Status == CampaignStatus.Paused
                        || (c.Status == CampaignStatus.Scheduled && c.ScheduledAt < overdue)
                        || (c.Status == CampaignStatus.Cancelled && c.FinishedAt > recentlyCancelled))
            .ToListAsync(ct);
        foreach (var campaign in campaigns)
        {
            var workspace = scope.ServiceProvider.GetRequiredService<WorkspaceScope>();
            using var _ = workspace.Enter(campaign.WorkspaceId);
            await CheckAsync(scope.ServiceProvider, db, campaign, ct);
        }
    }

    private async Task CheckAsync(IServiceProvider services, SendCraftDbContext db, Campaign campaign, CancellationToken ct)
    {
        var control = services.GetRequiredService<CampaignControl>();
        var scheduler = services.GetRequiredService<CampaignScheduler>();
        switch (campaign.Status)
        {
            case CampaignStatus.Cancelled:
                await control.CancelWaitingRowsAsync(campaign.Id, ct);
                return;
            case CampaignStatus.Paused:
                await control.HoldWaitingRowsAsync(campaign.Id, ct);
                break;
            case CampaignStatus.Scheduled:
                if (!await scheduler.IsPlannedAsync(campaign.Id, ct))
                {
                    log.LogWarning("Campaign {Campaign} was due at {At} but had no job; starting it now", campaign.Id, campaign.ScheduledAt);
                    await scheduler.RunNowAsync(campaign.Id, ct);
                }
                return;
        }

        var totals = await CampaignTotals.ForAsync(db, campaign, ct);
        if (campaign.Status == CampaignStatus.Sending)
        {
            var account = campaign.SmtpAccountId is { } id ? await db.SmtpAccounts.Include(a => a.Domain).FirstOrDefaultAsync(a => a.Id == id, ct) : null;
            if (account is null || !account.IsActive || account.Domain is not { IsActive: true })
            {
                var reason = account is null ? "Its SMTP account was deleted." : $"Its SMTP account {account.FromEmail} (or its domain) was deactivated.";
                await control.PauseAsync(campaign.Id, reason + " Nothing is lost: activate an account and resume.", ct);
            }
            else if (campaign.ExpandedAt is not null && totals.Pending == 0)
            {
                await FinishAsync(services, db, campaign, ct);
            }
            else if (campaign.ExpandedAt is null && !await scheduler.IsPlannedAsync(campaign.Id, ct))
            {
                // Expansion stopped without finishing and no job will continue it (the job was lost): start it again.
                log.LogWarning("Campaign {Campaign} is not fully expanded and has no job; restarting its expansion", campaign.Id);
                await scheduler.RunNowAsync(campaign.Id, ct);
            }
        }
        // Live progress for the campaign pages (with Realtime:Redis, browsers on every instance hear it).
        // The row is read again (a pause or finish above changed its status); the counts of this pass serve, rather than a
        // second GROUP BY over up to a million rows every interval.
        var fresh = await db.Campaigns.IgnoreQueryFilters().AsNoTracking().FirstAsync(c => c.Id == campaign.Id, ct);
        await progress.PublishAsync(CampaignProgressViews.From(fresh, totals, clock.GetUtcNow().UtcDateTime), ct);
    }

    private async Task FinishAsync(IServiceProvider services, SendCraftDbContext db, Campaign campaign, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var finished = await db.Campaigns.Where(c => c.Id == campaign.Id && c.Status == CampaignStatus.Sending && c.ExpandedAt != null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, CampaignStatus.Sent).SetProperty(c => c.FinishedAt, now).SetProperty(c => c.UpdatedAt, now), ct);
            if (finished == 0) return;
            await services.GetRequiredService<Webhooks.WebhookEvents>().EnqueueAsync(campaign.WorkspaceId, Webhooks.WebhookEventTypes.CampaignFinished,
                CampaignRunner.CampaignEvent(campaign, now), ct);
            await tx.CommitAsync(ct);
        }
        campaign.Status = CampaignStatus.Sent;
        campaign.FinishedAt = now;
        log.LogInformation("Campaign {Campaign} sent", campaign.Id);
        await services.GetRequiredService<CampaignNotices>().FinishedAsync(campaign, ct);
    }
}
