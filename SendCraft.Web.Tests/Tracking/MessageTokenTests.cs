using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Tests.Infrastructure;
using SendCraft.Web.Tracking;

namespace SendCraft.Web.Tests.Tracking;

/// <summary>Signed message tokens with the installation's key, created by the first instance and shared by the next.</summary>
public sealed class MessageTokenTests
{
    [Fact]
    public async Task A_token_reads_back_only_for_its_purpose_and_is_shared_by_instances_on_one_database()
    {
        await using var first = await SendCraftApp.StartAsync(DatabaseKind.Sqlite);
        var tokens = first.Services.GetRequiredService<MessageTokens>();

        var click = tokens.Create(TokenPurpose.Click, 123_456_789_012, linkIndex: 7);
        Assert.Matches("^[0-9a-f]{40}$", click);
        Assert.True(tokens.TryRead(TokenPurpose.Click, click.ToUpperInvariant(), out var id, out var link));
        Assert.Equal((123_456_789_012L, 7), (id, link));

        var open = tokens.Create(TokenPurpose.Open, 42);
        Assert.False(tokens.TryRead(TokenPurpose.Unsubscribe, open, out _, out _)); // same length, other purpose
        Assert.False(tokens.TryRead(TokenPurpose.Click, open, out _, out _));
        var tampered = (open[0] == '0' ? "1" : "0") + open[1..]; // another message id, same MAC
        Assert.False(tokens.TryRead(TokenPurpose.Open, tampered, out _, out _));
        Assert.False(tokens.TryRead(TokenPurpose.Open, "not-a-token", out _, out _));
        Assert.False(tokens.TryRead(TokenPurpose.Open, null, out _, out _));

        await using var second = SendCraftApp.StartAnotherInstance(first);
        var theirs = second.Services.GetRequiredService<MessageTokens>();
        Assert.True(theirs.TryRead(TokenPurpose.Open, open, out var sameId, out _));
        Assert.Equal(42, sameId);
    }
}
