using System.Text.Json;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages;

public sealed class IndexModel(SendCraftDbContext db, CurrentWorkspace workspace, TimeProvider clock) : PageModel
{
    public string WorkspaceName => workspace.Name;
    public IReadOnlyList<(string Label, string Value, string Icon)> Stats { get; private set; } = [];
    public string ChartLabelsJson { get; private set; } = "[]";

    public async Task OnGetAsync()
    {
        var members = await db.WorkspaceMembers.CountAsync();
        // Message figures come from rollups once sending lands; until then they are honestly zero.
        Stats =
        [
            ("Sent", "0", "send-check"),
            ("Delivered rate", "–", "check2-circle"),
            ("Opens", "0", "envelope-open"),
            ("Members", members.ToString(), "people"),
        ];
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        ChartLabelsJson = JsonSerializer.Serialize(Enumerable.Range(0, 14).Select(i => today.AddDays(i - 13).ToString("MMM d")));
    }
}
