using Bunit;
using SendCraft.Web.Realtime;
using SendCraft.Web.Realtime.Components;

namespace SendCraft.Web.Tests.Realtime;

/// <summary>The progress panel as pages render it and pushes send it (bUnit renders the real component).</summary>
public sealed class CampaignProgressPanelTests : BunitContext
{
    private static CampaignProgressView View(string status = "Sending", long total = 1000, long sent = 350, long failed = 10, long bounced = 5,
        long suppressed = 7, long cancelled = 0, long skipped = 3, double perMinute = 240, TimeSpan? eta = null) =>
        new(7, 3, "Spring <sale>", status, total, Expanded: total, Queued: 600, Sending: 20, sent, Deferred: 5, failed, bounced,
            suppressed, cancelled, skipped, perMinute, eta ?? TimeSpan.FromMinutes(3), new DateTime(2026, 12, 2, 10, 15, 30, DateTimeKind.Utc));

    private IRenderedComponent<CampaignProgressPanel> RenderPanel(CampaignProgressView view) =>
        Render<CampaignProgressPanel>(p => p.Add(c => c.Progress, view));

    [Fact]
    public void Sending_ShowsStatusCountersPercentRateAndEta()
    {
        var cut = RenderPanel(View());
        var root = cut.Find("#campaign-progress-7");
        Assert.Equal("7", root.GetAttribute("data-campaign-progress"));
        Assert.Equal("3", root.GetAttribute("data-workspace-id"));
        Assert.Contains("Spring <sale>", cut.Find(".card-header").TextContent); // encoded, not markup
        Assert.DoesNotContain("<sale>", cut.Markup);
        var badge = cut.Find(".campaign-status");
        Assert.Equal("Sending", badge.TextContent);
        Assert.Contains("text-bg-primary", badge.ClassName);

        // Done = sent + failed + bounced + suppressed + cancelled + skipped = 375 of 1,000.
        Assert.Equal("375", cut.Find(".campaign-done").TextContent);
        Assert.Equal("1,000", cut.Find(".campaign-total").TextContent);
        Assert.Equal("37.5%", cut.Find(".campaign-percent").TextContent);
        var segments = cut.FindAll(".progress-stacked .progress");
        Assert.Equal(["width: 35%", "width: 1.5%", "width: 1%"], segments.Select(s => s.GetAttribute("style")));
        Assert.Equal(["Sent", "Failed or bounced", "Suppressed, cancelled or skipped"], segments.Select(s => s.GetAttribute("aria-label")));

        var counters = cut.FindAll("[data-counter]").ToDictionary(e => e.GetAttribute("data-counter")!, e => e.TextContent);
        Assert.Equal(new Dictionary<string, string>
        {
            ["expanded"] = "1,000", ["queued"] = "600", ["sending"] = "20", ["sent"] = "350", ["deferred"] = "5", ["failed"] = "10",
            ["bounced"] = "5", ["suppressed"] = "7", ["cancelled"] = "0", ["skipped"] = "3",
        }, counters);
        Assert.Equal("240/min", cut.Find(".campaign-rate").TextContent);
        Assert.Equal("3 min", cut.Find(".campaign-eta").TextContent);
        Assert.Equal("10:15:30 UTC", cut.Find("time").TextContent);
        Assert.Equal("2026-12-02T10:15:30.0000000Z", cut.Find("time").GetAttribute("datetime"));
    }

    [Theory]
    [InlineData(3, 2, "66.6%")]
    [InlineData(10_000, 9_999, "99.9%")]
    [InlineData(10_000, 10_000, "100%")]
    [InlineData(10_000, 0, "0%")]
    [InlineData(3_000_000, 1_234_567, "41.1%")]
    public void Percent_IsRoundedDown_SoOnlyAFinishedCampaignShows100(long total, long sent, string expected)
    {
        var cut = RenderPanel(View(total: total, sent: sent, failed: 0, bounced: 0, suppressed: 0, skipped: 0));
        Assert.Equal(expected, cut.Find(".campaign-percent").TextContent);
        Assert.Equal(sent.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), cut.Find("[data-counter=sent]").TextContent);
    }

    [Theory]
    [InlineData(null, "—")]
    [InlineData(30.0, "under a minute")]
    [InlineData(90.0, "2 min")]
    [InlineData(3 * 3600 + 5 * 60.0, "3 h 05 min")]
    [InlineData(2 * 86400 + 4 * 3600.0, "2 d 4 h")]
    public void Eta_IsShortAndReadable(double? seconds, string expected)
    {
        var view = View() with { Eta = seconds is { } s ? TimeSpan.FromSeconds(s) : null };
        Assert.Equal(expected, RenderPanel(view).Find(".campaign-eta").TextContent);
    }

    [Theory]
    [InlineData("Paused", "text-bg-warning")]
    [InlineData("Sent", "text-bg-success")]
    [InlineData("Failed", "text-bg-danger")]
    [InlineData("Scheduled", "text-bg-info")]
    [InlineData("Cancelled", "text-bg-secondary")]
    public void NotSending_HasItsBadgeColour_AndNoEta(string status, string badgeClass)
    {
        var cut = RenderPanel(View(status: status));
        Assert.Contains(badgeClass, cut.Find(".campaign-status").ClassName);
        Assert.Equal("—", cut.Find(".campaign-eta").TextContent);
        Assert.Equal(status, cut.Find("#campaign-progress-7").GetAttribute("data-status"));
    }

    [Fact]
    public void NoRecipientsYet_ShowsTheEmptyState_NotABar()
    {
        var cut = RenderPanel(View(status: "Draft", total: 0, sent: 0, failed: 0, bounced: 0, suppressed: 0, skipped: 0, perMinute: 0) with { Queued = 0, Sending = 0, Deferred = 0 });
        Assert.Contains("No recipients yet", cut.Find(".campaign-progress-empty").TextContent);
        Assert.Empty(cut.FindAll(".progress-stacked"));
        Assert.All(cut.FindAll("[data-counter]"), c => Assert.Equal("0", c.TextContent));
        Assert.Equal("—", cut.Find(".campaign-rate").TextContent);
        Assert.Contains("border", cut.Find(".campaign-status").ClassName);
    }

    [Fact]
    public void SlowRate_KeepsADecimal()
    {
        Assert.Equal("2.5/min", RenderPanel(View(perMinute: 2.5)).Find(".campaign-rate").TextContent);
        Assert.Equal("12,346/min", RenderPanel(View(perMinute: 12_345.6)).Find(".campaign-rate").TextContent);
    }
}

/// <summary>The navbar's bell (bUnit renders the real component).</summary>
public sealed class NotificationBellTests : BunitContext
{
    private static readonly DateTime Now = new(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc);

    private IRenderedComponent<NotificationBell> RenderBell(int unread, params NotificationItemView[] items) =>
        Render<NotificationBell>(p => p.Add(c => c.Bell, new NotificationBellView(1, unread, items)).Add(c => c.Now, Now));

    [Fact]
    public void NoNotifications_ShowsTheEmptyState_NoCount_NoMarkAll()
    {
        var cut = RenderBell(0);
        Assert.Empty(cut.FindAll(".notification-count"));
        Assert.Empty(cut.FindAll("#notifications-mark-all"));
        Assert.Contains("No notifications yet", cut.Find(".notification-empty").TextContent);
        Assert.Contains("bi-bell", cut.Find("#notification-bell-button i").ClassName);
        Assert.DoesNotContain("bi-bell-fill", cut.Find("#notification-bell-button i").ClassName);
        Assert.Equal("/notifications", cut.Find("#notifications-see-all").GetAttribute("href"));
    }

    [Fact]
    public void UnreadAndRead_AreStyledApart_WithCountLinksAndAges()
    {
        var cut = RenderBell(1,
            new NotificationItemView(9, NotificationKinds.CampaignFinished, "Spring sale sent", "1,200 sent", "/campaigns/4", Now.AddMinutes(-5), IsRead: false),
            new NotificationItemView(8, NotificationKinds.ImportFailed, "Import failed: a.csv", null, null, Now.AddHours(-3), IsRead: true),
            new NotificationItemView(7, NotificationKinds.ImportFinished, "Import finished", null, "/imports/2", Now.AddDays(-3), IsRead: true));

        Assert.Equal("1", cut.Find(".notification-count").TextContent);
        Assert.Equal("1", cut.Find("#notification-bell").GetAttribute("data-unread"));
        Assert.Contains("bi-bell-fill", cut.Find("#notification-bell-button i").ClassName);
        Assert.Equal("/notifications?handler=ReadAll", cut.Find("#notifications-mark-all").GetAttribute("hx-post"));

        var items = cut.FindAll(".notification-item");
        Assert.Equal(["9", "8", "7"], items.Select(i => i.GetAttribute("data-notification-id")));
        Assert.Contains("is-unread", items[0].ClassName);
        Assert.Contains("fw-semibold", items[0].QuerySelector(".notification-title")!.ClassName);
        Assert.NotNull(items[0].QuerySelector(".notification-dot"));
        Assert.Contains("is-read", items[1].ClassName);
        Assert.DoesNotContain("fw-semibold", items[1].QuerySelector(".notification-title")!.ClassName);
        Assert.Null(items[1].QuerySelector(".notification-dot"));

        Assert.Equal("/campaigns/4", items[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("/notifications", items[1].QuerySelector("a")!.GetAttribute("href")); // no link of its own
        Assert.Contains("5 min ago", items[0].TextContent);
        Assert.Contains("3 h ago", items[1].TextContent);
        Assert.Contains("29 Nov 2026", items[2].TextContent);
        Assert.Contains("bi-exclamation-triangle", items[1].QuerySelector("i")!.ClassName);
        Assert.Contains("text-danger", items[1].QuerySelector("i")!.ClassName);
    }

    [Fact]
    public void ManyUnread_CountCapsAt99Plus()
    {
        Assert.Equal("99+", RenderBell(150).Find(".notification-count").TextContent);
        Assert.Equal("99", RenderBell(99).Find(".notification-count").TextContent);
    }

    [Fact]
    public void Titles_AreEncoded()
    {
        var cut = RenderBell(1, new NotificationItemView(1, "x", "<img src=x>", "<b>bold</b>", null, Now, false));
        Assert.DoesNotContain("<img", cut.Markup);
        Assert.Equal("<img src=x>", cut.Find(".notification-title").TextContent);
        Assert.Contains("just now", cut.Find(".notification-item").TextContent);
    }
}
