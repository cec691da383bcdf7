using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Templating;

namespace SendCraft.Web.Campaigns;

/// <summary>
/// Turns a started campaign's audience into outbox rows, a chunk at a time in contact id order, resuming from the
/// campaign's cursor (after a crash, a pause or a restart). Memory stays flat: one chunk of ids and contacts at a time.
/// Suppressed, unsubscribed (or bounced, complained) and invalid contacts get no row and are counted by reason.
/// With a campaign rate, rows are spaced by their due time, so the workers (which only claim due rows) keep it.
/// </summary>
public sealed class CampaignExpander(
    IServiceScopeFactory scopes, WorkerDatabaseGate gate, TemplateRenderer renderer, OutboxSignal signal,
    IOptions<CampaignOptions> options, TimeProvider clock, ILogger<CampaignExpander> log)
{
    public async Task ExpandAsync(long campaignId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        var audience = new CampaignAudience(db);
        var campaign = await Load(db, campaignId, ct);
        if (campaign is not { Status: CampaignStatus.Sending, ExpandedAt: null, ContentId: { } contentId, SmtpAccountId: { } accountId }) return;

        var roots = ContactFields.Roots(renderer.Check(new TemplateSource(campaign.Subject, campaign.HtmlBody, campaign.TextBody)).Variables);
        var included = campaign.Lists.Where(l => !l.Excluded).Select(l => l.ListId).ToList();
        var excluded = campaign.Lists.Where(l => l.Excluded).Select(l => l.ListId).ToList();
        var interval = campaign.RatePerMinute is { } rate and > 0 ? TimeSpan.FromMinutes(1) / rate : (TimeSpan?)null;
        var fromEmail = await db.SmtpAccounts.IgnoreQueryFilters().Where(a => a.Id == accountId).Select(a => a.FromEmail).FirstAsync(ct);
        var (cursor, nextDue) = (campaign.ExpansionCursor, campaign.NextDueAt);
        var chunkSize = options.Value.ExpansionChunkSize;

        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var page = await audience.NextPageAsync(included, excluded, cursor, chunkSize, ct);
            if (page.IsEnd(cursor))
            {
                await gate.RunAsync<CampaignExpansionStore>(store => store.FinishAsync(campaignId, cursor, ct), ct);
                log.LogInformation("Campaign {Campaign} expanded", campaignId);
                return;
            }
            var chunk = await BuildChunkAsync(db, campaign, accountId, contentId, fromEmail, roots, page, cursor, nextDue, interval, ct);
            if (!await gate.RunAsync<CampaignExpansionStore, bool>(store => store.WriteAsync(chunk, ct), ct))
            {
                // Paused or cancelled (stop here; resume starts the job again), or moved on elsewhere: read where it is.
                campaign = await Load(db, campaignId, ct);
                if (campaign is not { Status: CampaignStatus.Sending, ExpandedAt: null }) return;
                (cursor, nextDue) = (campaign.ExpansionCursor, campaign.NextDueAt);
                continue;
            }
            (cursor, nextDue) = (chunk.NewCursor, chunk.NextDueAt);
            if (chunk.Recipients.Count > 0) signal.Notify();
        }
    }

    private static Task<Campaign?> Load(SendCraftDbContext db, long id, CancellationToken ct) =>
        db.Campaigns.IgnoreQueryFilters().AsNoTracking().Include(c => c.Lists).FirstOrDefaultAsync(c => c.Id == id, ct);

    private async Task<ExpansionChunk> BuildChunkAsync(
        SendCraftDbContext db, Campaign campaign, long accountId, long contentId, string fromEmail, IReadOnlyCollection<string> roots,
        AudiencePage page, long cursor, DateTime? nextDue, TimeSpan? interval, CancellationToken ct)
    {
        var ids = page.ContactIds;
        var contacts = ids.Count == 0 ? [] : await db.Contacts.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.WorkspaceId == campaign.WorkspaceId && ids.Contains(c.Id))
            .OrderBy(c => c.Id)
            .Select(c => new { c.Id, c.Email, c.Name, c.Status, c.AttributesJson }).ToListAsync(ct);
        var emails = contacts.Select(c => c.Email).ToList();
        var suppressed = emails.Count == 0 ? [] : (await db.Suppressions.IgnoreQueryFilters()
            .Where(s => s.WorkspaceId == campaign.WorkspaceId && emails.Contains(s.Email)).Select(s => s.Email).ToListAsync(ct)).ToHashSet();

        var now = clock.GetUtcNow().UtcDateTime;
        var due = interval is null ? now : (nextDue is { } next && next > now ? next : now);
        var recipients = new List<ExpandedRecipient>(contacts.Count);
        long unsubscribed = 0, skippedSuppressed = 0, invalid = 0, missing = 0;
        foreach (var c in contacts)
        {
            if (c.Status != ContactStatus.Active) { unsubscribed++; continue; }
            if (suppressed.Contains(c.Email)) { skippedSuppressed++; continue; }
            if (!MailboxAddress.TryParse(c.Email, out var address) || address.Address.IndexOf('@') <= 0) { invalid++; continue; }
            if (roots.Count > 0 && ContactFields.LacksAny(ContactFields.For(c.Email, c.Name, c.AttributesJson), roots)) missing++;
            recipients.Add(new ExpandedRecipient(c.Id, c.Email, MimeBuilder.NewMessageId(fromEmail), due));
            if (interval is { } step) due += step;
        }
        return new ExpansionChunk(campaign.Id, campaign.WorkspaceId, accountId, contentId, cursor, page.Cursor, recipients,
            skippedSuppressed, unsubscribed, invalid, missing, interval is null ? null : due);
    }
}
