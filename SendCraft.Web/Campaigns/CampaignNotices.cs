using SendCraft.Web.Data;
using SendCraft.Web.Realtime;

namespace SendCraft.Web.Campaigns;

/// <summary>Tells the members of a campaign's workspace what happened to it (a persisted notification, and a toast if they are online).</summary>
public sealed class CampaignNotices(INotifier notifier)
{
    public Task StartedAsync(Campaign campaign, CancellationToken ct) =>
        notifier.NotifyWorkspaceAsync(campaign.WorkspaceId, NotificationKinds.CampaignStarted, $"Campaign started: {campaign.Name}", null, LinkTo(campaign.Id), ct);

    public Task FinishedAsync(Campaign campaign, CancellationToken ct) =>
        notifier.NotifyWorkspaceAsync(campaign.WorkspaceId, NotificationKinds.CampaignFinished, $"Campaign sent: {campaign.Name}", null, LinkTo(campaign.Id), ct);

    public Task FailedAsync(Campaign campaign, string reason, CancellationToken ct) =>
        notifier.NotifyWorkspaceAsync(campaign.WorkspaceId, NotificationKinds.CampaignFailed, $"Campaign failed: {campaign.Name}", reason, LinkTo(campaign.Id), ct);

    public Task PausedBySystemAsync(Campaign campaign, string reason, CancellationToken ct) =>
        notifier.NotifyWorkspaceAsync(campaign.WorkspaceId, NotificationKinds.CampaignPaused, $"Campaign paused: {campaign.Name}", reason, LinkTo(campaign.Id), ct);

    public static string LinkTo(long campaignId) => $"/Campaigns/Details/{campaignId}";
}
