using SendCraft.Web.Tracking;

namespace SendCraft.Web.Tests.Tracking;

public sealed class MachineRulesTests
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private static readonly DateTime Sent = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)")]
    [InlineData("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html")]
    [InlineData("")]
    [InlineData(null)]
    public void Open_ByAnImageProxyAgent_IsMachine(string? agent) =>
        Assert.True(MachineRules.IsMachineOpen(agent, Sent, Sent.AddHours(1)));

    [Fact]
    public void Open_SecondsAfterSending_IsAPrefetch_LaterIsHuman()
    {
        Assert.True(MachineRules.IsMachineOpen("Mozilla/5.0", Sent, Sent.AddSeconds(2))); // Apple MPP: generic agent, at once
        Assert.False(MachineRules.IsMachineOpen(Firefox, Sent, Sent.AddMinutes(3)));
        Assert.False(MachineRules.IsMachineOpen(Firefox, null, Sent)); // not known as sent: no timing verdict
    }

    [Theory]
    [InlineData("Mozilla/5.0 (compatible; Barracuda Sentinel)")]
    [InlineData("python-requests/2.31")]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0)")]
    public void Click_ByAScannerAgent_IsMachine(string agent) =>
        Assert.True(MachineRules.IsMachineClick(agent, Sent, Sent.AddHours(1), []));

    [Fact]
    public void Click_AtDelivery_OrInABurstOverOtherLinks_IsMachine_ALoneLaterClickIsHuman()
    {
        var at = Sent.AddMinutes(10);
        Assert.True(MachineRules.IsMachineClick(Firefox, Sent, Sent.AddSeconds(1), []));
        Assert.True(MachineRules.IsMachineClick(Firefox, Sent, at, [at.AddMilliseconds(400)]));
        Assert.True(MachineRules.IsMachineClick(Firefox, Sent, at, [at.AddMilliseconds(-900)]));
        Assert.False(MachineRules.IsMachineClick(Firefox, Sent, at, [at.AddSeconds(-30)]));
        Assert.False(MachineRules.IsMachineClick(Firefox, Sent, at, []));
    }
}
