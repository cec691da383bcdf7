using System.Globalization;
using System.Text.Json;

namespace SendCraft.Web.Analytics;

/// <summary>
/// The JSON of an outcomes-and-engagement chart over a range (delivered, bounced and failed as stacked bars; unique
/// opens and clicks as lines), drawn by wwwroot/js/stats-chart.js. The dashboard and the campaign report share it.
/// Every bucket of the range is present, empty ones as zero, so the time axis is even.
/// </summary>
public static class StatsChart
{
    public static string Json(StatsRange range, IEnumerable<StatsPoint> points)
    {
        var series = points.ToDictionary(p => p.Bucket, p => p.Totals);
        var buckets = range.Buckets().ToList();
        StatsTotals At(DateTime b) => series.GetValueOrDefault(b) ?? StatsTotals.Zero;
        return JsonSerializer.Serialize(new
        {
            hourly = range.Hourly,
            labels = buckets.Select(b => range.Hourly ? b.ToString("MMM d HH:00", CultureInfo.InvariantCulture) : b.ToString("MMM d", CultureInfo.InvariantCulture)),
            series = new object[]
            {
                new { label = "Delivered", color = "#198754", type = "bar", data = buckets.Select(b => At(b).Delivered) },
                new { label = "Bounced", color = "#dc3545", type = "bar", data = buckets.Select(b => At(b).Bounced) },
                new { label = "Failed", color = "#6c757d", type = "bar", data = buckets.Select(b => At(b).Failed) },
                new { label = "Opens (unique)", color = "#0d6efd", type = "line", data = buckets.Select(b => At(b).UniqueOpens) },
                new { label = "Clicks (unique)", color = "#fd7e14", type = "line", data = buckets.Select(b => At(b).UniqueClicks) },
            },
        });
    }

    /// <summary>For a JSON &lt;script&gt; block: "&lt;/" cannot end it early.</summary>
    public static string ForScriptBlock(string json) => json.Replace("</", "<\\/", StringComparison.Ordinal);
}
