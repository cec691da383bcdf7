using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Templating;

namespace SendCraft.Web.Campaigns;

/// <summary>
/// What a campaign draft must be to be saved, for the campaign editor and the API alike: Liquid that compiles (each
/// error with its part, line and column), some content, an active SMTP account of the workspace, at least one list
/// to send to, lists of this workspace, none both sent to and excluded. Name, subject length and rate are the
/// caller's (the editor has them as data annotations).
/// </summary>
public static class CampaignDraftRules
{
    public enum Field { Subject, Html, Text, SmtpAccount, Included, Excluded }

    public sealed record Problem(Field Field, string Message);

    public static async Task<List<Problem>> CheckAsync(SendCraftDbContext db, TemplateRenderer renderer, TemplateSource source,
        long? smtpAccountId, IReadOnlyCollection<long> included, IReadOnlyCollection<long> excluded, CancellationToken ct)
    {
        var problems = new List<Problem>();
        foreach (var error in renderer.Check(source).Errors)
            problems.Add(new(error.Part switch { TemplatePart.Subject => Field.Subject, TemplatePart.Html => Field.Html, _ => Field.Text }, error.ToString()));
        if (string.IsNullOrWhiteSpace(source.Html) && string.IsNullOrWhiteSpace(source.Text))
            problems.Add(new(Field.Html, "Write an HTML body or a text body: the message has no content."));

        if (smtpAccountId is null)
            problems.Add(new(Field.SmtpAccount, "Choose the SMTP account the campaign is sent from."));
        else if (!await db.SmtpAccounts.AnyAsync(a => a.Id == smtpAccountId && a.IsActive && a.Domain!.IsActive, ct))
            problems.Add(new(Field.SmtpAccount, "That SMTP account is not an active account of this workspace."));

        var all = included.Concat(excluded).Distinct().ToList();
        var known = (await db.ContactLists.Where(l => all.Contains(l.Id)).Select(l => l.Id).ToListAsync(ct)).ToHashSet();
        if (included.Count == 0)
            problems.Add(new(Field.Included, "Choose at least one list to send to."));
        if (all.Any(l => !known.Contains(l)))
            problems.Add(new(Field.Included, "A chosen list no longer exists in this workspace."));
        if (included.Intersect(excluded).Any())
            problems.Add(new(Field.Excluded, "A list cannot be both sent to and excluded."));
        return problems;
    }
}
