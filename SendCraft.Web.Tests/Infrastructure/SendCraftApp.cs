using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using SendCraft.Web.Data;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>The real application in-process (TestServer) on a throwaway database, with a clock tests can move.</summary>
public sealed class SendCraftApp : WebApplicationFactory<Program>
{
    public const string OwnerPassword = "correct horse 42";

    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly bool _ownsDatabase;

    private SendCraftApp(TestDatabase database, IReadOnlyDictionary<string, string?>? settings, bool ownsDatabase)
    {
        Database = database;
        _settings = settings ?? new Dictionary<string, string?>();
        _ownsDatabase = ownsDatabase;
    }

    public TestDatabase Database { get; }
    public TestClock Clock { get; } = new();

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();
    /// <summary>What the app's own code (categories SendCraft.*) logged, "Level: message", for tests of start-up messages.</summary>
    public IReadOnlyList<string> Log => [.. _log];

    /// <param name="settings">Configuration overrides, e.g. ["Sending:WorkersEnabled"] = "false".</param>
    public static async Task<SendCraftApp> StartAsync(DatabaseKind kind, IReadOnlyDictionary<string, string?>? settings = null) =>
        Start(new SendCraftApp(await TestDatabase.CreateAsync(kind), settings, ownsDatabase: true));

    /// <summary>A second instance on the same database (as two servers behind a load balancer); the first app owns the database.</summary>
    public static SendCraftApp StartAnotherInstance(SendCraftApp first, IReadOnlyDictionary<string, string?>? settings = null) =>
        Start(new SendCraftApp(first.Database, settings ?? first._settings, ownsDatabase: false));

    /// <summary>An in-process instance on a database that something else owns (e.g. apps in other processes, AppProcess).</summary>
    public static SendCraftApp StartOn(TestDatabase database, IReadOnlyDictionary<string, string?> settings) =>
        Start(new SendCraftApp(database, settings, ownsDatabase: false));

    private static SendCraftApp Start(SendCraftApp app)
    {
        _ = app.Server; // builds the host: migrations run now, not inside the first request
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Database.ProviderSetting);
        builder.UseSetting("ConnectionStrings:SendCraft", Database.ConnectionString);
        // Quartz keeps a registry of scheduler names per process, and many apps run in this one.
        builder.UseSetting("Scheduling:SchedulerName", "SendCraft-" + Guid.NewGuid().ToString("N"));
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        // Warnings and errors only: per-command EF logs would drown the test output.
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(new CapturingLoggerProvider(_log)));
        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
    }

    /// <summary>A browser-like session: cookies kept, redirects not followed (tests look at them).</summary>
    public WebSession NewSession() =>
        new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>Runs the real setup page and returns the signed-in owner's session.</summary>
    public async Task<WebSession> SetUpOwnerAsync(string email = "owner@example.test", string workspace = "Acme")
    {
        var session = NewSession();
        var response = await session.SubmitFormAsync("/Setup", new()
        {
            ["Input.DisplayName"] = "Olivia Owner",
            ["Input.Email"] = email,
            ["Input.Password"] = OwnerPassword,
            ["Input.ConfirmPassword"] = OwnerPassword,
            ["Input.WorkspaceName"] = workspace,
        });
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return session;
    }

    /// <summary>Test data builder: a user who is a member of a workspace with a role, made through the real services.</summary>
    public async Task<AppUser> AddMemberAsync(long workspaceId, string email, WorkspaceRole role, string password = OwnerPassword)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, DisplayName = email.Split('@')[0] };
        var created = await users.CreateAsync(user, password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        using (scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId))
        {
            db.WorkspaceMembers.Add(new WorkspaceMember { UserId = user.Id, Role = role });
            await db.SaveChangesAsync();
        }
        return user;
    }

    /// <summary>Runs <paramref name="work"/> with a DbContext that sees every workspace's rows (for assertions).</summary>
    public async Task<T> QueryAsync<T>(Func<SendCraftDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<SendCraftDbContext>());
    }

    public Task<long> WorkspaceIdAsync(string name) =>
        QueryAsync(db => db.Workspaces.Where(w => w.Name == name).Select(w => w.Id).SingleAsync());

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase) await Database.DisposeAsync();
    }
}

/// <summary>A TimeProvider that tests can move forward (invitation expiry, lockout end).</summary>
public sealed class TestClock : TimeProvider
{
    private TimeSpan _offset;
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
    public void Advance(TimeSpan by) => _offset += by;
}

/// <summary>Keeps the app's own log lines (SendCraft.* categories) so tests can read what an operator would see.</summary>
internal sealed class CapturingLoggerProvider(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("SendCraft.", StringComparison.Ordinal) ? new Logger(lines) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose() { }

    private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
