using System.ComponentModel.DataAnnotations;

namespace SendCraft.Web.Campaigns;

/// <summary>Settings of campaigns (section "Campaigns").</summary>
public sealed class CampaignOptions
{
    public const string Section = "Campaigns";

    /// <summary>Contacts expanded into outbox rows per transaction.</summary>
    [Range(1, 20_000)] public int ExpansionChunkSize { get; set; } = 2_000;

    /// <summary>How often running campaigns are checked: progress pushed, finished ones closed, broken accounts paused.</summary>
    public TimeSpan MonitorInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Addresses one test send may go to.</summary>
    [Range(1, 50)] public int MaxTestRecipients { get; set; } = 10;
}
