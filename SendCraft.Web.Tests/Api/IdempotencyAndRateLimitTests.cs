using System.Net;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Api;

/// <summary>Idempotency-Key (sequential and concurrent retries queue once) and the per-key token bucket (429 with Retry-After).</summary>
public abstract class IdempotencyAndRateLimitTests(DatabaseKind kind)
{
    private static HttpRequestMessage Post(string path, string json, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = ApiWorld.Json(json) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    [Fact]
    public async Task Retry_WithTheSameKeyAndBody_ReturnsTheFirstAnswer_ADifferentBodyIsRefused_AFailureStoresNothing()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        using var api = world.Client(await world.CreateKeyAsync());

        var first = await api.SendAsync(Post("/api/v1/messages", ApiWorld.Message(), "order-1042"));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var firstBody = await first.Content.ReadAsStringAsync();
        var again = await api.SendAsync(Post("/api/v1/messages", ApiWorld.Message(), "order-1042"));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(firstBody, await again.Content.ReadAsStringAsync());
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await world.OutboxCountAsync());

        var other = await api.SendAsync(Post("/api/v1/messages", ApiWorld.Message(subject: "Another"), "order-1042"));
        await ApiWorld.ProblemAsync(other, 422);
        Assert.Equal(1, await world.OutboxCountAsync());

        // A request that fails validation stores nothing: corrected, it goes through with the same key.
        await ApiWorld.ProblemAsync(await api.SendAsync(Post("/api/v1/messages", ApiWorld.Message(to: "bad address"), "order-1043")), 400);
        Assert.Equal(HttpStatusCode.Accepted, (await api.SendAsync(Post("/api/v1/messages", ApiWorld.Message(to: "good@example.org"), "order-1043"))).StatusCode);
        Assert.Equal(2, await world.OutboxCountAsync());

        // Batches too; and after 24 h the key may be used again.
        var batch = $$"""{"messages":[{{ApiWorld.Message("b1@example.org")}},{{ApiWorld.Message("b2@example.org")}}]}""";
        Assert.Equal(HttpStatusCode.Accepted, (await api.SendAsync(Post("/api/v1/messages/batch", batch, "batch-1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await api.SendAsync(Post("/api/v1/messages/batch", batch, "batch-1"))).StatusCode);
        Assert.Equal(4, await world.OutboxCountAsync());
        world.App.Clock.Advance(TimeSpan.FromHours(25));
        var later = await api.SendAsync(Post("/api/v1/messages", ApiWorld.Message(), "order-1042"));
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);
        Assert.False(later.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(5, await world.OutboxCountAsync());

        await ApiWorld.ProblemAsync(await api.SendAsync(Post("/api/v1/messages", ApiWorld.Message(), new string('k', 256))), 400);
    }

    [Fact]
    public async Task ConcurrentIdenticalRequests_QueueOnce_AndAllGetTheSameAnswer()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        var key = await world.CreateKeyAsync(ratePerSecond: 1000);
        var clients = Enumerable.Range(0, 12).Select(_ => world.Client(key)).ToList();
        try
        {
            for (var round = 0; round < 3; round++)
            {
                var idempotencyKey = $"parallel-{round}";
                using var start = new SemaphoreSlim(0);
                var tasks = clients.Select(async c =>
                {
                    await start.WaitAsync();
                    var response = await c.SendAsync(Post("/api/v1/messages", ApiWorld.Message($"r{round}@example.org"), idempotencyKey));
                    return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
                }).ToList();
                start.Release(clients.Count);
                var answers = await Task.WhenAll(tasks);
                Assert.All(answers, a => Assert.True(a.Item1 == 202, $"{a.Item1}: {a.Item2}"));
                Assert.Single(answers.Select(a => a.Item2).Distinct());
            }
            var recipients = await world.App.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().Select(m => m.Recipient).ToListAsync());
            Assert.Equal(["r0@example.org", "r1@example.org", "r2@example.org"], recipients.Order().ToList());
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    [Fact]
    public async Task KeyOverItsRate_Gets429WithRetryAfterAndRateLimitHeaders_OtherKeysAreNotAffected()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        using var slow = world.Client(await world.CreateKeyAsync("Slow", ratePerSecond: 2));
        using var other = world.Client(await world.CreateKeyAsync("Other"));

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++) statuses.Add(await slow.GetAsync("/api/v1/messages"));
        var ok = statuses.First(r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal("4", ok.Headers.GetValues("RateLimit-Limit").Single());
        var limited = statuses.FirstOrDefault(r => (int)r.StatusCode == 429);
        Assert.True(limited is not null, "8 requests at once with a limit of 2/s (burst 4) were all accepted");
        await ApiWorld.ProblemAsync(limited!, 429);
        Assert.True(int.Parse(limited!.Headers.GetValues("Retry-After").Single()) >= 1);
        Assert.Equal("0", limited.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.True(statuses.Count(r => r.StatusCode == HttpStatusCode.OK) <= 5);

        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/messages")).StatusCode);
        // A refused send queued nothing.
        var sends = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++) sends.Add(await slow.PostAsync("/api/v1/messages", ApiWorld.Json(ApiWorld.Message())));
        Assert.Equal(sends.Count(s => s.StatusCode == HttpStatusCode.Accepted), await world.OutboxCountAsync());
        await Task.Delay(2100);
        Assert.Equal(HttpStatusCode.OK, (await slow.GetAsync("/api/v1/messages")).StatusCode);
    }
}

public sealed class IdempotencyAndRateLimitTests_Sqlite() : IdempotencyAndRateLimitTests(DatabaseKind.Sqlite);
public sealed class IdempotencyAndRateLimitTests_MariaDb() : IdempotencyAndRateLimitTests(DatabaseKind.MariaDb);
