using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Campaigns;
using SendCraft.Web.Data;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>Test data for campaigns, made through the real entities and the real CampaignControl.</summary>
public static class CampaignBuilders
{
    public static async Task<long> CreateCampaignAsync(this SendCraftApp app, long workspaceId, long accountId, IEnumerable<long> lists,
        IEnumerable<long>? excluded = null, string subject = "Hello {{ first_name }}",
        string html = "<p>Hi {{ first_name }} from {{ city | default: \"nowhere\" }}</p>", string text = "", int? ratePerMinute = null, string name = "Newsletter")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
        var campaign = new Campaign
        {
            Name = name, Subject = subject, HtmlBody = html, TextBody = text, SmtpAccountId = accountId, RatePerMinute = ratePerMinute,
            Lists = lists.Select(l => new CampaignList { ListId = l }).Concat((excluded ?? []).Select(l => new CampaignList { ListId = l, Excluded = true })).ToList(),
        };
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        return campaign.Id;
    }

    /// <summary>
    /// Straight on the database (for apps in other processes): <paramref name="count"/> contacts in a new list of the
    /// account's workspace, and a draft campaign to it. Returns (workspace, campaign).
    /// </summary>
    public static async Task<(long WorkspaceId, long CampaignId)> SeedCampaignAsync(SendCraftDbContext db, long accountId, int count, int? ratePerMinute = null)
    {
        var workspaceId = await db.SmtpAccounts.IgnoreQueryFilters().Where(a => a.Id == accountId).Select(a => a.WorkspaceId).SingleAsync();
        var list = new ContactList { WorkspaceId = workspaceId, Name = "Everyone" };
        db.ContactLists.Add(list);
        await db.SaveChangesAsync();
        for (var start = 0; start < count; start += 2000)
        {
            var contacts = Enumerable.Range(start, Math.Min(2000, count - start)).Select(i => new Contact
            {
                WorkspaceId = workspaceId, Email = $"user{i}@rcpt.test", Name = $"User {i}", AttributesJson = $"{{\"city\":\"City{i % 50}\"}}",
            }).ToList();
            db.Contacts.AddRange(contacts);
            await db.SaveChangesAsync();
            db.ListMembers.AddRange(contacts.Select(c => new ListMember { WorkspaceId = workspaceId, ListId = list.Id, ContactId = c.Id }));
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
        var campaign = new Campaign
        {
            WorkspaceId = workspaceId, Name = "Crash test", Subject = "Hello {{ first_name }}", HtmlBody = "<p>Hi {{ name }} of {{ city }}</p>",
            SmtpAccountId = accountId, RatePerMinute = ratePerMinute, Lists = [new CampaignList { WorkspaceId = workspaceId, ListId = list.Id }],
        };
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync();
        return (workspaceId, campaign.Id);
    }

    /// <summary>
    /// An in-process instance on <paramref name="database"/> that runs no jobs and no workers, in the same Quartz cluster
    /// as the app processes: it schedules, pauses and resumes as the pages would, and the processes do the work.
    /// </summary>
    public static SendCraftApp ControlApp(TestDatabase database) => SendCraftApp.StartOn(database, new Dictionary<string, string?>
    {
        ["Scheduling:SchedulerName"] = "SendCraft",
        ["Scheduling:RunJobs"] = "false",
        ["Sending:WorkersEnabled"] = "false",
    });

    /// <summary>Runs one CampaignControl action in the workspace, as a page would.</summary>
    public static async Task<ControlResult> ControlAsync(this SendCraftApp app, long workspaceId, Func<CampaignControl, Task<ControlResult>> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
        return await action(scope.ServiceProvider.GetRequiredService<CampaignControl>());
    }

    public static Task<Campaign> CampaignAsync(this SendCraftApp app, long id) =>
        app.QueryAsync(db => db.Campaigns.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == id));

    public static async Task<Campaign> CampaignAsync(TestDatabase database, long id)
    {
        await using var db = DirectDb.Open(database);
        return await db.Campaigns.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == id);
    }

    /// <summary>Polls until the campaign satisfies <paramref name="done"/>, or fails after <paramref name="timeoutSeconds"/>.</summary>
    public static async Task<Campaign> WaitForCampaignAsync(Func<Task<Campaign>> load, Func<Campaign, bool> done, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        Campaign campaign;
        do
        {
            campaign = await load();
            if (done(campaign)) return campaign;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"Campaign {campaign.Id} is {campaign.Status} (expanded {campaign.Expanded}, cursor {campaign.ExpansionCursor}) after {timeoutSeconds} s.");
    }

    public static Task<Campaign> WaitForCampaignAsync(this SendCraftApp app, long id, Func<Campaign, bool> done, int timeoutSeconds = 60) =>
        WaitForCampaignAsync(() => app.CampaignAsync(id), done, timeoutSeconds);
}
