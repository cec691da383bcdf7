using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Realtime;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Realtime;

/// <summary>
/// Two app processes on one MariaDB database with the Redis backplane (Realtime:Redis, the throwaway Redis that
/// scripts/test starts): a notification created on one instance reaches a browser-side client connected to the other.
/// </summary>
public sealed class RedisScaleOutTests
{
    public const string RedisVariable = "SENDCRAFT_TEST_REDIS";

    public static string RedisServer => Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } s
        ? s
        : throw new InvalidOperationException($"{RedisVariable} is not set. Run the suite with scripts/test, which starts a throwaway Redis and sets it.");

    [Fact]
    public async Task ImportFinishedOnOneInstance_ReachesClientsOnBothInstances_ThroughRedis()
    {
        var settings = new Dictionary<string, string> { ["Realtime:Redis"] = RedisServer, ["Sending:WorkersEnabled"] = "false" };
        await using var a = await AppProcess.StartAsync(DatabaseKind.MariaDb, settings);
        await using var b = await AppProcess.StartOnAsync(a.Database, settings);

        var owner = new WebSession(a.CreateClient());
        var setup = await owner.SubmitFormAsync("/Setup", new()
        {
            ["Input.DisplayName"] = "Olivia Owner", ["Input.Email"] = "owner@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword,
            ["Input.ConfirmPassword"] = SendCraftApp.OwnerPassword, ["Input.WorkspaceName"] = "Acme",
        });
        Assert.Equal("/", setup.Headers.Location?.OriginalString);

        // The same user on both instances (Data Protection keys live in the shared database, so one cookie works on both).
        var cookie = await RealtimeClients.SignInAsync(b.BaseAddress, "owner@example.test");
        await using var onA = RealtimeClients.Connect(a.BaseAddress, NotificationsHub.Path, cookie);
        await using var onB = RealtimeClients.Connect(b.BaseAddress, NotificationsHub.Path, cookie);
        var seenOnA = onA.Collect<NotificationMessage>(NotificationsHub.NotificationMethod);
        var seenOnB = onB.Collect<NotificationMessage>(NotificationsHub.NotificationMethod);
        await onA.StartAsync();
        await onB.StartAsync();

        // Either instance's worker may run the import; whichever it is, the client on the other one hears of it only through Redis.
        var listId = await RealtimeSteps.CreateListAsync(owner, "Readers");
        var importId = await owner.UploadCsvAsync(listId, Encoding.UTF8.GetBytes("email\nann@example.com\nbob@example.com\n"));
        Assert.Equal(HttpStatusCode.Redirect, (await owner.StartImportAsync(importId)).StatusCode);

        foreach (var (inbox, instance) in new[] { (seenOnA, a), (seenOnB, b) })
        {
            NotificationMessage message;
            try { message = await inbox.NextAsync(seconds: 60); }
            catch (TimeoutException e) { throw new TimeoutException($"{e.Message}\n--- {instance.BaseAddress} ---\n{instance.OutputTail(3000)}"); }
            Assert.Equal("Import finished: 2 contacts, 0 errors", message.Title);
            Assert.Equal($"/imports/{importId}", message.Link);
        }
        await using var db = DirectDb.Open(a.Database);
        Assert.Equal(1, await db.Notifications.IgnoreQueryFilters().CountAsync());
    }

    [Theory]
    [InlineData("password=hunter2-secret", "no host")]
    [InlineData("127.0.0.1:6379,retrys=3", "misspelt option")]
    public async Task RedisSetting_ThatIsNotAConnectionString_StopsWithOneLine_WithoutEchoingIt(string value, string why)
    {
        var (exitCode, process) = await AppProcess.RunUntilExitAsync(DatabaseKind.Sqlite, new Dictionary<string, string> { ["Realtime:Redis"] = value });
        await using var _ = process;
        Assert.True(exitCode == SendCraft.Web.Infrastructure.StartupSettingException.ExitCode, $"{why}: exit code {exitCode}\n{process.OutputTail()}");
        var line = Assert.Single(process.Output.Split('\n'), l => l.StartsWith("[stderr] ", StringComparison.Ordinal));
        Assert.StartsWith("[stderr] SendCraft cannot start: Realtime:Redis is not a Redis connection string", line);
        Assert.DoesNotContain("hunter2", process.Output);
        Assert.DoesNotContain("   at ", process.Output);
    }
}

/// <summary>Steps the real-time tests share, through the pages.</summary>
internal static class RealtimeSteps
{
    /// <summary>Creates a list through the lists page (a plain form post) and returns its id, read from the list table.</summary>
    public static async Task<long> CreateListAsync(WebSession session, string name)
    {
        var created = await session.SubmitFormAsync("/lists", new() { ["name"] = name, ["description"] = "" }, "form[action='/lists?handler=Create']");
        Assert.True(created.StatusCode == HttpStatusCode.Redirect, $"Creating the list answered {(int)created.StatusCode}");
        var lists = await session.GetPageAsync("/lists");
        var link = lists.QuerySelectorAll("a[href^='/lists/']").First(a => a.TextContent.Trim() == name);
        return long.Parse(link.GetAttribute("href")!.Split('/').Last());
    }
}
