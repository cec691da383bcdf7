using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Analytics;
using SendCraft.Web.Data;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages;

/// <summary>
/// The workspace dashboard: metric cards with rates, a chart over time (hours up to three days, days beyond), the top
/// campaigns and the per-account and per-domain views, for a preset or custom range, optionally for one SMTP account or
/// one sending domain. Reads only the rollup tables (see Analytics/RollupJob.cs), so it costs the same at ten million
/// messages as at ten. Times are UTC, as the buckets are.
/// </summary>
public sealed class IndexModel(SendCraftDbContext db, DashboardQueries queries, CurrentWorkspace workspace, TimeProvider clock) : PageModel
{
    public static readonly IReadOnlyList<(string Key, string Label, TimeSpan Length)> Presets =
    [
        ("24h", "24 h", TimeSpan.FromHours(24)), ("7d", "7 days", TimeSpan.FromDays(7)), ("30d", "30 days", TimeSpan.FromDays(30)), ("90d", "90 days", TimeSpan.FromDays(90)),
    ];
    private const int MaxCustomDays = 800;

    [FromQuery(Name = "range")] public string? RangeKey { get; set; }
    [FromQuery(Name = "from")] public string? FromText { get; set; }
    [FromQuery(Name = "to")] public string? ToText { get; set; }
    [FromQuery(Name = "account")] public long? AccountId { get; set; }
    [FromQuery(Name = "domain")] public long? DomainId { get; set; }
    /// <summary>The view picker's value, "account:ID" or "domain:ID" (one select for both filters).</summary>
    [FromQuery(Name = "view")] public string? View { get; set; }

    public string WorkspaceName => workspace.Name;
    public StatsRange Range { get; private set; } = null!;
    public string ActivePreset { get; private set; } = "7d";
    public string? RangeProblem { get; private set; }
    public StatsTotals Totals { get; private set; } = StatsTotals.Zero;
    public IReadOnlyList<(SmtpAccount Account, StatsTotals Totals)> Accounts { get; private set; } = [];
    public IReadOnlyList<(SendingDomain Domain, StatsTotals Totals)> Domains { get; private set; } = [];
    public IReadOnlyList<(long Id, string Name, StatsTotals Totals)> TopCampaigns { get; private set; } = [];
    public IReadOnlyList<SmtpAccount> AccountChoices { get; private set; } = [];
    public IReadOnlyList<SendingDomain> DomainChoices { get; private set; } = [];
    public string ChartJson { get; private set; } = "{}";
    public string FilterLabel { get; private set; } = "all accounts";

    public async Task OnGetAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        Range = ResolveRange(now);
        if (View is { Length: > 0 } view)
        {
            var parts = view.Split(':', 2);
            long? id = parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
            AccountId = parts[0] == "account" ? id : null;
            DomainId = parts[0] == "domain" ? id : null;
        }
        else if (View is not null) (AccountId, DomainId) = (null, null);
        AccountChoices = await db.SmtpAccounts.AsNoTracking().OrderBy(a => a.FromEmail).ToListAsync(ct);
        DomainChoices = await db.SendingDomains.AsNoTracking().OrderBy(d => d.Name).ToListAsync(ct);

        // One filter at a time: an account, or the accounts of a domain.
        IReadOnlyCollection<long>? filter = null;
        if (AccountChoices.FirstOrDefault(a => a.Id == AccountId) is { } account)
        {
            filter = [account.Id];
            FilterLabel = account.FromEmail;
            DomainId = null;
        }
        else if (DomainChoices.FirstOrDefault(d => d.Id == DomainId) is { } domain)
        {
            filter = AccountChoices.Where(a => a.DomainId == domain.Id).Select(a => a.Id).ToList();
            FilterLabel = domain.Name;
            AccountId = null;
        }
        else (AccountId, DomainId) = (null, null);

        var byAccount = await queries.ByAccountAsync(Range, filter, ct);
        Totals = byAccount.Aggregate(StatsTotals.Zero, (sum, row) => sum.Add(row.Totals));
        var accountsById = AccountChoices.ToDictionary(a => a.Id);
        Accounts = byAccount.Where(r => accountsById.ContainsKey(r.Key)).Select(r => (accountsById[r.Key], r.Totals))
            .OrderByDescending(r => r.Totals.Sent).ToList();
        Domains = Accounts.GroupBy(r => r.Item1.DomainId)
            .Select(g => (DomainChoices.First(d => d.Id == g.Key), g.Aggregate(StatsTotals.Zero, (sum, r) => sum.Add(r.Totals))))
            .OrderByDescending(r => r.Item2.Sent).ToList();

        var top = await queries.TopCampaignsAsync(Range, filter, 10, ct);
        var ids = top.Select(t => t.Key).ToList();
        var names = await db.Campaigns.AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        TopCampaigns = top.Select(t => (t.Key, names.GetValueOrDefault(t.Key, $"Campaign {t.Key} (deleted)"), t.Totals)).ToList();

        ChartJson = StatsChart.Json(Range, await queries.SeriesAsync(Range, filter, ct));
    }

    private StatsRange ResolveRange(DateTime now)
    {
        if (RangeKey == "custom" || (RangeKey is null && (FromText is not null || ToText is not null)))
        {
            static DateOnly? Parse(string? s) => DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
            var (from, to) = (Parse(FromText), Parse(ToText));
            if (from is null || to is null) RangeProblem = "Choose both dates of a custom range (from and to).";
            else if (to < from) RangeProblem = "The custom range ends before it starts.";
            else if (to.Value.DayNumber - from.Value.DayNumber >= MaxCustomDays) RangeProblem = $"A custom range spans at most {MaxCustomDays} days.";
            else
            {
                ActivePreset = "custom";
                return StatsRange.Days(from.Value, to.Value);
            }
        }
        var preset = Presets.FirstOrDefault(p => p.Key == RangeKey);
        if (preset.Key is null) preset = Presets[1];
        ActivePreset = preset.Key;
        return StatsRange.Last(preset.Length, now);
    }

    /// <summary>The page's query string with some parameters changed, for preset links and filters that keep the rest.</summary>
    public string Link(string? range = null, long? account = null, long? domain = null, bool clearFilter = false)
    {
        var q = new Dictionary<string, string?>();
        var r = range ?? ActivePreset;
        q["range"] = r;
        if (r == "custom") { q["from"] = FromText; q["to"] = ToText; }
        if (!clearFilter)
        {
            if ((account ?? AccountId) is { } a && domain is null) q["account"] = a.ToString(CultureInfo.InvariantCulture);
            else if ((domain ?? DomainId) is { } d) q["domain"] = d.ToString(CultureInfo.InvariantCulture);
        }
        return "/" + Microsoft.AspNetCore.Http.QueryString.Create(q.Where(kv => kv.Value is not null));
    }

    /// <summary>One decimal, two below 1 % (complaint rates live there: 0.03 % matters, "0.0 %" would hide it).</summary>
    public static string Percent(double? rate) => rate is { } r
        ? (r * 100).ToString(r > 0 && r < 0.01 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " %"
        : "–";
}
