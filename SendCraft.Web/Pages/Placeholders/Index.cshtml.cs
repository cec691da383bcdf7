using Microsoft.AspNetCore.Mvc.RazorPages;
using SendCraft.Web.Infrastructure;

namespace SendCraft.Web.Pages.Placeholders;

public sealed class IndexModel : PageModel
{
    public NavArea Area { get; private set; } = Navigation.Areas[0];

    public void OnGet(string area) =>
        Area = Navigation.Areas.Single(a => a.Path.Equals("/" + area, StringComparison.OrdinalIgnoreCase));
}
