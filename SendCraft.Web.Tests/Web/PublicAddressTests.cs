using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SendCraft.Web.Infrastructure;

namespace SendCraft.Web.Tests.Web;

/// <summary>One setting, PublicBaseUrl, for every link in sent mail; the two older per-feature names still work.</summary>
public sealed class PublicAddressTests
{
    [Theory]
    [InlineData("PublicBaseUrl", "https://mail.example.test/")]
    [InlineData("Unsubscribe:PublicBaseUrl", "https://old-unsubscribe.example.test")]
    [InlineData("Tracking:PublicBaseUrl", "https://old-tracking.example.test")]
    public void TheSetting_OrAFormerName_IsTheInstallationsPublicAddress(string key, string value)
    {
        var options = Options(new() { [key] = value });
        Assert.Equal(value, options.PublicBaseUrl);
        Assert.Null(options.Problem());
    }

    [Fact]
    public void TheNewName_WinsOverTheFormerOnes()
    {
        var options = Options(new() { ["PublicBaseUrl"] = "https://new.example.test", ["Tracking:PublicBaseUrl"] = "https://old.example.test" });
        Assert.Equal("https://new.example.test", options.PublicBaseUrl);
    }

    [Theory]
    [InlineData("mail.example.test")]
    [InlineData("ftp://mail.example.test")]
    [InlineData("https://mail.example.test/?x=1")]
    public void AnAddressThatCannotStartALink_IsRefused(string value) =>
        Assert.NotNull(new PublicAddressOptions { PublicBaseUrl = value }.Problem());

    private static PublicAddressOptions Options(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddPublicAddress()
            .BuildServiceProvider()
            .GetRequiredService<IOptions<PublicAddressOptions>>().Value;
}
