using SendCraft.Web.Data;

namespace SendCraft.Web.Campaigns;

/// <summary>Tells the members of a campaign's workspace what happened to it without them asking.</summary>
public sealed class CampaignNotices(ILogger<CampaignNotices> log)
{
    public Task StartedAsync(Campaign campaign, CancellationToken ct) =>
        NotifyAsync(campaign, "campaign.started", $"Campaign started: {campaign.Name}", null, ct);

    public Task FinishedAsync(Campaign campaign, CancellationToken ct) =>
        NotifyAsync(campaign, "campaign.finished", $"Campaign sent: {campaign.Name}", null, ct);

    public Task FailedAsync(Campaign campaign, string reason, CancellationToken ct) =>
        NotifyAsync(campaign, "campaign.failed", $"Campaign failed: {campaign.Name}", reason, ct);

    public Task PausedBySystemAsync(Campaign campaign, string reason, CancellationToken ct) =>
        NotifyAsync(campaign, "campaign.paused", $"Campaign paused: {campaign.Name}", reason, ct);

    private Task NotifyAsync(Campaign campaign, string kind, string title, string? body, CancellationToken ct)
    {
        log.LogInformation("{Kind} {Campaign}: {Title} {Body}", kind, campaign.Id, title, body);
        return Task.CompletedTask;
    }

    public static string LinkTo(long campaignId) => $"/Campaigns/Details/{campaignId}";
}
