using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SendCraft.Web.Data;
using SendCraft.Web.Realtime;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Tests.Authorization;

/// <summary>
/// Every page handler the app itself exposes (its endpoints, loaded as Razor Pages loads them), checked over HTTP:
/// anonymous posts are sent to sign in, roles below the handler's least role are refused and change nothing, the
/// least role gets through. The expected table below is the review point: a new handler fails this test until it is
/// added there with the role it should need.
/// </summary>
public abstract partial class HandlerAuthorizationTests(DatabaseKind kind)
{
    private const string Public = "Public", OwnAccount = "OwnAccount";

    /// <summary>Every state-changing handler, and every read that needs a role, with what it needs ("Verb /Page handler").</summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        // Public: nobody is signed in yet, or the handler works for anyone.
        ["POST /Account/Login"] = Public,
        ["POST /Account/LoginWith2fa"] = Public,
        ["POST /Account/LoginWithRecoveryCode"] = Public,
        ["POST /Account/Logout"] = Public,
        ["POST /Setup/Index"] = Public,
        ["POST /Invite/Index"] = Public,
        ["POST /Invite/Index Join"] = Public,
        ["POST /Error"] = Public,
        // A recipient's unsubscribe preferences (/p/{token}): the signed token in the URL is the credential.
        ["POST /Unsubscribe/Preferences Unsubscribe"] = Public,
        ["POST /Unsubscribe/Preferences Save"] = Public,
        ["POST /Unsubscribe/Preferences Resubscribe"] = Public,
        // The user's own account: signed in, no workspace role.
        ["POST /Account/Profile Details"] = OwnAccount,
        ["POST /Account/Profile Password"] = OwnAccount,
        ["POST /Account/TwoFactor/Index Disable"] = OwnAccount,
        ["POST /Account/TwoFactor/Index RegenerateCodes"] = OwnAccount,
        ["POST /Account/TwoFactor/Enable"] = OwnAccount,
        ["POST /Workspaces/New"] = OwnAccount,
        ["POST /Workspaces/Switch"] = OwnAccount,
        // Viewer: posts that save nothing of the workspace's content (preview, DNS check result), and the user's own
        // notifications (each handler touches only the current user's rows: NotificationPageTests).
        ["POST /Notifications/Index Read"] = nameof(WorkspaceRole.Viewer),
        ["POST /Notifications/Index ReadAll"] = nameof(WorkspaceRole.Viewer),
        ["POST /Domains/Details Check"] = nameof(WorkspaceRole.Viewer),
        ["POST /Templates/Edit Preview"] = nameof(WorkspaceRole.Viewer),
        ["POST /Templates/Edit GenerateText"] = nameof(WorkspaceRole.Viewer),
        // Member works.
        ["POST /Contacts/Index Create"] = nameof(WorkspaceRole.Member),
        ["POST /Contacts/Index Delete"] = nameof(WorkspaceRole.Member),
        ["POST /Contacts/Index Bulk"] = nameof(WorkspaceRole.Member),
        ["POST /Contacts/Details Save"] = nameof(WorkspaceRole.Member),
        ["POST /Contacts/Details Delete"] = nameof(WorkspaceRole.Member),
        ["POST /Contacts/Details AddToList"] = nameof(WorkspaceRole.Member),
        ["POST /Contacts/Details RemoveFromList"] = nameof(WorkspaceRole.Member),
        ["POST /Lists/Index Create"] = nameof(WorkspaceRole.Member),
        ["POST /Lists/Index Delete"] = nameof(WorkspaceRole.Member),
        ["POST /Lists/Details Add"] = nameof(WorkspaceRole.Member),
        ["POST /Lists/Details Remove"] = nameof(WorkspaceRole.Member),
        ["POST /Lists/Details Edit"] = nameof(WorkspaceRole.Member),
        ["GET /Imports/New"] = nameof(WorkspaceRole.Member),
        ["POST /Imports/New"] = nameof(WorkspaceRole.Member),
        ["POST /Imports/Details Start"] = nameof(WorkspaceRole.Member),
        ["POST /Templates/Index Delete"] = nameof(WorkspaceRole.Member),
        ["POST /Templates/Index Duplicate"] = nameof(WorkspaceRole.Member),
        ["POST /Templates/Edit"] = nameof(WorkspaceRole.Member),
        ["GET /Messages/Compose"] = nameof(WorkspaceRole.Member),
        ["POST /Messages/Compose"] = nameof(WorkspaceRole.Member),
        ["POST /Messages/Detail Cancel"] = nameof(WorkspaceRole.Member),
        ["POST /Messages/Detail Retry"] = nameof(WorkspaceRole.Member),
        ["POST /Suppressions/Index Add"] = nameof(WorkspaceRole.Member),
        ["POST /Inbox/Detail Read"] = nameof(WorkspaceRole.Member),
        ["POST /Inbox/Detail Delete"] = nameof(WorkspaceRole.Member),
        ["POST /Campaigns/Index Delete"] = nameof(WorkspaceRole.Member),
        ["POST /Campaigns/Edit"] = nameof(WorkspaceRole.Member),
        ["POST /Campaigns/Edit Template"] = nameof(WorkspaceRole.Member),
        ["POST /Campaigns/Details SendNow"] = nameof(WorkspaceRole.Member),
        ["POST /Campaigns/Details Schedule"] = nameof(WorkspaceRole.Member),
        ["POST /Campaigns/Details Unschedule"] = nameof(WorkspaceRole.Member),
        ["POST /Campaigns/Details Pause"] = nameof(WorkspaceRole.Member),
        ["POST /Campaigns/Details Resume"] = nameof(WorkspaceRole.Member),
        ["POST /Campaigns/Details Cancel"] = nameof(WorkspaceRole.Member),
        ["POST /Campaigns/Details Test"] = nameof(WorkspaceRole.Member),
        // Admin configures.
        ["POST /Suppressions/Index Remove"] = nameof(WorkspaceRole.Admin),
        ["POST /Domains/Index Create"] = nameof(WorkspaceRole.Admin),
        ["POST /Domains/Index Toggle"] = nameof(WorkspaceRole.Admin),
        ["POST /Domains/Index Delete"] = nameof(WorkspaceRole.Admin),
        ["POST /SmtpAccounts/Index Test"] = nameof(WorkspaceRole.Admin),
        ["POST /SmtpAccounts/Index Toggle"] = nameof(WorkspaceRole.Admin),
        ["POST /SmtpAccounts/Index Delete"] = nameof(WorkspaceRole.Admin),
        ["GET /SmtpAccounts/Edit"] = nameof(WorkspaceRole.Admin),
        ["POST /SmtpAccounts/Edit"] = nameof(WorkspaceRole.Admin),
        ["GET /Settings/Index"] = nameof(WorkspaceRole.Admin),
        ["POST /Settings/Index"] = nameof(WorkspaceRole.Admin),
        ["GET /Settings/Members"] = nameof(WorkspaceRole.Admin),
        ["POST /Settings/Members Role"] = nameof(WorkspaceRole.Admin),
        ["POST /Settings/Members Remove"] = nameof(WorkspaceRole.Admin),
        ["POST /Settings/Members Invite"] = nameof(WorkspaceRole.Admin),
        ["POST /Settings/Members Revoke"] = nameof(WorkspaceRole.Admin),
        // API keys: admins only, reads included (a key can send and read all of the workspace's mail).
        ["GET /ApiKeys/Index"] = nameof(WorkspaceRole.Admin),
        ["GET /ApiKeys/Index List"] = nameof(WorkspaceRole.Admin),
        ["POST /ApiKeys/Index Create"] = nameof(WorkspaceRole.Admin),
        ["POST /ApiKeys/Index Revoke"] = nameof(WorkspaceRole.Admin),
        // Webhooks: admins only, reading included (URLs can carry tokens; the log shows what the receiver answered).
        ["GET /Webhooks/Index"] = nameof(WorkspaceRole.Admin),
        ["GET /Webhooks/Index List"] = nameof(WorkspaceRole.Admin),
        ["GET /Webhooks/Index CloseEditor"] = nameof(WorkspaceRole.Admin),
        ["POST /Webhooks/Index Toggle"] = nameof(WorkspaceRole.Admin),
        ["POST /Webhooks/Index Delete"] = nameof(WorkspaceRole.Admin),
        ["GET /Webhooks/Edit"] = nameof(WorkspaceRole.Admin),
        ["POST /Webhooks/Edit"] = nameof(WorkspaceRole.Admin),
        ["GET /Webhooks/Details"] = nameof(WorkspaceRole.Admin),
        ["GET /Webhooks/Details Deliveries"] = nameof(WorkspaceRole.Admin),
        ["POST /Webhooks/Details Rotate"] = nameof(WorkspaceRole.Admin),
        ["POST /Webhooks/Details Test"] = nameof(WorkspaceRole.Admin),
        ["POST /Webhooks/Details Redeliver"] = nameof(WorkspaceRole.Admin),
    };

    [Fact]
    public async Task EveryHandler_AnonymousSignsIn_RolesBelowItsRuleAreRefusedAndChangeNothing_ItsRoleGetsThrough()
    {
        await using var world = await World.CreateAsync(kind);
        var handlers = await EnumerateHandlersAsync(world.Host);

        // The app's handlers, found by reflection over its PageModels, are all among the enumerated endpoints.
        var reflected = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(PageModel).IsAssignableFrom(t) && !t.IsAbstract)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => StateChangingName().IsMatch(m.Name))
            .ToList();
        var enumeratedMethods = handlers.Select(h => h.Handler.MethodInfo).ToHashSet();
        AssertNone(reflected.Where(m => !enumeratedMethods.Contains(m)).Select(m => $"{m.DeclaringType!.FullName}.{m.Name} is not among the app's page handlers."));
        Assert.True(reflected.Count >= 50, $"Only {reflected.Count} state-changing handlers found by reflection.");

        // What needs checking: every state-changing handler, and every read that needs a role.
        var checkedHandlers = handlers
            .Where(h => !WorkspaceRoleRules.IsRead(h.Handler.HttpMethod) || WorkspaceRoleRules.For(h.Page, h.Handler).Minimum is not null)
            .ToList();
        var found = checkedHandlers.Select(h => h.Key).ToHashSet();
        Assert.True(found.Count >= 55, $"Only {found.Count} handlers enumerated: {string.Join(", ", found)}");
        AssertNone(found.Except(Expected.Keys).Select(k => $"{k} is not in the Expected table: add it with the role it must need."));
        AssertNone(Expected.Keys.Except(found).Select(k => $"{k} is in the Expected table but the app has no such handler."));

        var failures = new List<string>();
        var exercised = new HashSet<string>();
        foreach (var h in checkedHandlers.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            var expected = Expected[h.Key];
            var rule = WorkspaceRoleRules.For(h.Page, h.Handler);
            var actualName = rule.IsPublic ? Public : rule.Minimum?.ToString() ?? OwnAccount;
            if (actualName != expected) failures.Add($"{h.Key}: the central rule says {actualName} ({rule.Reason}), expected {expected}.");

            var before = await world.SnapshotAsync();
            // (b) Anonymous: sent to sign in, except public handlers, which must not be.
            var anonymous = await world.SendAsync(world.Anonymous, h);
            if (expected == Public)
            {
                if (IsChallenge(anonymous) || IsRefused(anonymous)) failures.Add($"{h.Key} is public but anonymous got {Describe(anonymous)}.");
                exercised.Add(h.Key);
                continue;
            }
            if (!IsChallenge(anonymous)) failures.Add($"{h.Key} anonymous: expected a redirect to sign in, got {Describe(anonymous)}.");

            // (a) Every role below the rule (a Viewer for all of them), as a form post and as htmx, is refused and changes nothing.
            var least = expected == OwnAccount ? WorkspaceRole.Viewer : Enum.Parse<WorkspaceRole>(expected);
            foreach (var below in Enum.GetValues<WorkspaceRole>().Where(r => r < least))
            {
                foreach (var htmx in new[] { false, true })
                {
                    var response = await world.SendAsync(world.Sessions[below], h, htmx);
                    if (!IsRefused(response)) failures.Add($"{h.Key} as {below}{(htmx ? " (htmx)" : "")}: expected 403, got {Describe(response)}.");
                }
            }
            var after = await world.SnapshotAsync();
            if (before != after) failures.Add($"{h.Key}: refused requests changed data.\nbefore: {before}\nafter:  {after}");

            // The least role gets past the rule (what the handler then does with test values does not matter here).
            var allowed = await world.SendAsync(world.Sessions[least], h);
            if (IsRefused(allowed) || IsChallenge(allowed) || allowed.StatusCode == HttpStatusCode.BadRequest || (int)allowed.StatusCode >= 500)
                failures.Add($"{h.Key} as {least}: expected to get through, got {Describe(allowed)}.");
            exercised.Add(h.Key);
        }

        AssertNone(failures);
        Assert.Equal(Expected.Keys.Order(), exercised.Order());
    }

    [Fact]
    public async Task EachRule_ItsLeastRoleReallyWrites_AndTheRoleBelowDoesNot()
    {
        await using var world = await World.CreateAsync(kind);
        var viewer = world.Sessions[WorkspaceRole.Viewer];
        var member = world.Sessions[WorkspaceRole.Member];
        var admin = world.Sessions[WorkspaceRole.Admin];

        // Viewer: previews a template (renders, saves nothing).
        var editor = await viewer.GetPageAsync($"/templates/{world.TemplateId}");
        var preview = await viewer.HtmxPostAsync(editor, $"/templates/{world.TemplateId}?handler=Preview",
            new() { ["Input.Name"] = "T", ["Input.Subject"] = "Hi {{ first_name }}", ["Input.HtmlBody"] = "<p>x</p>", ["Input.SampleData"] = """{"first_name":"Vi"}""" });
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Contains("Hi Vi", await preview.Content.ReadAsStringAsync());

        // Member: adds a contact; a viewer cannot.
        var contacts = await member.GetPageAsync("/contacts");
        Assert.True(IsRefused(await viewer.HtmxPostAsync(await viewer.GetPageAsync("/contacts"), "/contacts?handler=Create", new() { ["Input.Email"] = "vera-made@example.com" })));
        var created = await member.HtmxPostAsync(contacts, "/contacts?handler=Create", new() { ["Input.Email"] = "mo-made@example.com" });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var emails = (await world.App.ContactsOfAsync(world.WorkspaceId)).Select(c => c.Email).ToList();
        Assert.Contains("mo-made@example.com", emails);
        Assert.DoesNotContain("vera-made@example.com", emails);

        // Suppressions: a member adds, only an admin removes.
        var suppressions = await member.GetPageAsync("/suppressions");
        var added = await member.HtmxPostAsync(suppressions, "/suppressions?handler=Add", new() { ["Input.Email"] = "stop@example.com" });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var stopId = await world.App.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().Where(s => s.Email == "stop@example.com").Select(s => s.Id).SingleAsync());
        Assert.True(IsRefused(await member.HtmxPostAsync(suppressions, $"/suppressions?handler=Remove&id={stopId}")));
        Assert.True(await world.App.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().AnyAsync(s => s.Id == stopId)));
        var removed = await admin.HtmxPostAsync(await admin.GetPageAsync("/suppressions"), $"/suppressions?handler=Remove&id={stopId}");
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.False(await world.App.QueryAsync(db => db.Suppressions.IgnoreQueryFilters().AnyAsync(s => s.Id == stopId)));

        // Admin: deactivates a domain; a member cannot.
        var domains = await admin.GetPageAsync("/domains");
        Assert.True(IsRefused(await member.HtmxPostAsync(await member.GetPageAsync("/domains"), $"/domains?handler=Toggle&id={world.DomainId}")));
        Assert.True(await DomainActiveAsync());
        Assert.Equal(HttpStatusCode.OK, (await admin.HtmxPostAsync(domains, $"/domains?handler=Toggle&id={world.DomainId}")).StatusCode);
        Assert.False(await DomainActiveAsync());

        // Admin reads settings; a member may not even open them.
        Assert.True(IsRefused(await member.GetAsync("/Settings")));
        await admin.GetPageAsync("/Settings");

        Task<bool> DomainActiveAsync() =>
            world.App.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().Where(d => d.Id == world.DomainId).Select(d => d.IsActive).SingleAsync());
    }

    /// <summary>Lists every problem in full (Assert.Empty would cut the messages short).</summary>
    private static void AssertNone(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        Assert.True(list.Count == 0, $"{list.Count} problem(s):\n" + string.Join("\n", list));
    }

    private static bool IsRefused(HttpResponseMessage r) =>
        r.StatusCode == HttpStatusCode.Forbidden
        || (IsRedirect(r) && r.Headers.Location!.OriginalString.Contains("/Account/AccessDenied", StringComparison.OrdinalIgnoreCase));

    private static bool IsChallenge(HttpResponseMessage r) =>
        r.StatusCode == HttpStatusCode.Unauthorized
        || (IsRedirect(r) && r.Headers.Location!.OriginalString.Contains("/Account/Login?ReturnUrl=", StringComparison.OrdinalIgnoreCase));

    private static bool IsRedirect(HttpResponseMessage r) =>
        (r.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther) && r.Headers.Location is not null;

    private static string Describe(HttpResponseMessage r) =>
        $"{(int)r.StatusCode}{(r.Headers.Location is { } l ? " → " + l.OriginalString : "")} ({r.RequestMessage?.Method} {r.RequestMessage?.RequestUri?.PathAndQuery})";

    [GeneratedRegex("^On(Post|Put|Delete|Patch)")]
    private static partial Regex StateChangingName();

    /// <summary>A page handler as the app routes it: its page, its route template, and "VERB /Page Name".</summary>
    private sealed record PageHandler(CompiledPageActionDescriptor Page, HandlerMethodDescriptor Handler, string Route)
    {
        public string Key => $"{Handler.HttpMethod.ToUpperInvariant()} {Page.ViewEnginePath}{(string.IsNullOrEmpty(Handler.Name) ? "" : " " + Handler.Name)}";
    }

    /// <summary>The app's page endpoints (shortest route per page), loaded by the app's own PageLoader into their handlers.</summary>
    private static async Task<List<PageHandler>> EnumerateHandlersAsync(WebApplicationFactory<Program> host)
    {
        var endpoints = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Descriptor: e.Metadata.GetMetadata<PageActionDescriptor>()))
            .Where(e => e.Descriptor is not null)
            .GroupBy(e => e.Descriptor!.ViewEnginePath)
            .Select(g => g.OrderBy(e => e.Endpoint.RoutePattern.RawText!.Length).First())
            .ToList();
        Assert.True(endpoints.Count >= 30, $"Only {endpoints.Count} pages found.");
        var loader = host.Services.GetRequiredService<PageLoader>();
        var handlers = new List<PageHandler>();
        foreach (var (endpoint, descriptor) in endpoints)
        {
            var page = await loader.LoadAsync(descriptor!, endpoint.Metadata);
            handlers.AddRange(page.HandlerMethods.Select(m => new PageHandler(page, m, "/" + endpoint.RoutePattern.RawText!.TrimStart('/'))));
        }
        return handlers;
    }

    /// <summary>
    /// One workspace (Acme) with a viewer, a member, an admin and the owner signed in, and one of everything the pages act
    /// on, served by an app whose DNS lookups go to a local test server and whose workers are off.
    /// </summary>
    private sealed class World : IAsyncDisposable
    {
        private static readonly JsonSerializerOptions SnapshotJson = new() { ReferenceHandler = ReferenceHandler.IgnoreCycles };
        private readonly Dictionary<WebSession, string> _tokens = [];
        private TestDnsServer _dns = null!;

        public SendCraftApp App { get; private set; } = null!;
        public WebApplicationFactory<Program> Host { get; private set; } = null!;
        public WebSession Anonymous { get; private set; } = null!;
        public Dictionary<WorkspaceRole, WebSession> Sessions { get; } = [];
        public long WorkspaceId { get; private set; }
        public long ContactId { get; private set; }
        public long ListId { get; private set; }
        public long TemplateId { get; private set; }
        public long DomainId { get; private set; }
        public long AccountId { get; private set; }
        public long MessageId { get; private set; }
        public long ImportId { get; private set; }
        public long SuppressionId { get; private set; }
        public long CampaignId { get; private set; }
        public long InvitationId { get; private set; }
        public long ApiKeyId { get; private set; }
        public string InvitationToken { get; private set; } = "";
        public long TargetMemberId { get; private set; }
        /// <summary>The viewer's own notification (every member has one).</summary>
        public long ViewerNotificationId { get; private set; }
        public long WebhookEndpointId { get; private set; }
        public long WebhookDeliveryId { get; private set; }
        public long InboundMessageId { get; private set; }

        public static async Task<World> CreateAsync(DatabaseKind kind)
        {
            var w = new World { _dns = new TestDnsServer() };
            w.App = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?> { ["Sending:WorkersEnabled"] = "false" });
            w.Host = w.App.WithWebHostBuilder(b => b.ConfigureServices(s =>
                s.Replace(ServiceDescriptor.Singleton<IDnsTxtLookup>(new DnsClientTxtLookup(w._dns.EndPoint)))));
            w.Anonymous = w.NewSession();

            var owner = w.NewSession();
            var setup = await owner.SubmitFormAsync("/Setup", new()
            {
                ["Input.DisplayName"] = "Olivia Owner", ["Input.Email"] = "owner@example.test", ["Input.Password"] = SendCraftApp.OwnerPassword,
                ["Input.ConfirmPassword"] = SendCraftApp.OwnerPassword, ["Input.WorkspaceName"] = "Acme",
            });
            Assert.Equal("/", setup.Headers.Location?.OriginalString);
            w.Sessions[WorkspaceRole.Owner] = owner;
            var ws = w.WorkspaceId = await w.App.WorkspaceIdAsync("Acme");
            foreach (var role in new[] { WorkspaceRole.Viewer, WorkspaceRole.Member, WorkspaceRole.Admin })
            {
                await w.App.AddMemberAsync(ws, $"{role.ToString().ToLowerInvariant()}@example.test", role);
                w.Sessions[role] = await w.SignInAsync($"{role.ToString().ToLowerInvariant()}@example.test");
            }
            var target = await w.App.AddMemberAsync(ws, "target@example.test", WorkspaceRole.Viewer);
            w.TargetMemberId = await w.App.QueryAsync(db => db.WorkspaceMembers.IgnoreQueryFilters().Where(m => m.UserId == target.Id).Select(m => m.Id).SingleAsync());

            var list = await w.App.AddListAsync(ws, "Newsletter");
            w.ListId = list.Id;
            w.ContactId = (await w.App.AddContactAsync(ws, "dan@example.com", "Dan")).Id;
            await w.App.AddToListAsync(ws, list.Id, w.ContactId);
            w.TemplateId = (await w.App.AddTemplateAsync(ws, "Welcome")).Id;
            // Port 9 (discard) is closed here: the connection test fails at once.
            (_, w.AccountId, _) = await w.App.CreateSenderAsync(9, inWorkspace: ws);
            w.DomainId = await w.App.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().Where(a => a.Id == w.AccountId).Select(a => a.DomainId).SingleAsync());
            w.MessageId = (await w.App.QueueAsync(ws, w.AccountId, ["rcpt@example.com"]))[0].Id;
            w.InboundMessageId = await w.App.QueryAsync(async db =>
            {
                var reply = new InboundMessage { WorkspaceId = ws, Kind = InboundKind.Reply, FromAddress = "rcpt@example.com", Subject = "Re: hi", ReceivedAt = DateTime.UtcNow };
                db.InboundMessages.Add(reply);
                await db.SaveChangesAsync();
                return reply.Id;
            });
            // A draft to an empty list: "send now" as the least role gets through the rule and is refused by the engine,
            // so no campaign starts in the background while snapshots are compared.
            var nobody = await w.App.AddListAsync(ws, "Nobody");
            w.CampaignId = await w.App.CreateCampaignAsync(ws, w.AccountId, [nobody.Id]);
            w.ImportId = await w.Sessions[WorkspaceRole.Member].UploadCsvAsync(list.Id, "email,name\nann@example.com,Ann\n"u8.ToArray());

            await using (var scope = w.App.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
                using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(ws);
                var suppression = new Suppression { Email = "gone@example.com", Reason = SuppressionReason.Manual };
                db.Suppressions.Add(suppression);
                await db.SaveChangesAsync();
                w.SuppressionId = suppression.Id;
                var apiKey = new ApiKey { Name = "Shop", Prefix = "sc_live_00000000", SecretHash = new string('0', 64), Scopes = ApiScopes.Send };
                db.ApiKeys.Add(apiKey);
                await db.SaveChangesAsync();
                w.ApiKeyId = apiKey.Id;
                // Workers are off: nothing is delivered to this address.
                var endpoint = new WebhookEndpoint
                {
                    Url = "https://hooks.example.com/in", EventTypes = "message.sent",
                    SecretProtected = scope.ServiceProvider.GetRequiredService<SecretProtector>().Protect(SendCraft.Web.Webhooks.WebhookSignature.NewSecret()),
                };
                db.WebhookEndpoints.Add(endpoint);
                await db.SaveChangesAsync();
                var delivery = new WebhookDelivery
                {
                    EndpointId = endpoint.Id, EventId = "evt_authz", EventType = "message.sent", Payload = "{}", Status = WebhookDeliveryStatus.Failed, DueAt = DateTime.UtcNow,
                };
                db.WebhookDeliveries.Add(delivery);
                await db.SaveChangesAsync();
                (w.WebhookEndpointId, w.WebhookDeliveryId) = (endpoint.Id, delivery.Id);
                var ownerId = await db.Users.Where(u => u.Email == "owner@example.test").Select(u => u.Id).SingleAsync();
                var (invitation, token, error) = await scope.ServiceProvider.GetRequiredService<WorkspaceService>()
                    .InviteAsync("newcomer@example.test", WorkspaceRole.Member, ownerId, WorkspaceRole.Owner);
                Assert.Null(error);
                (w.InvitationId, w.InvitationToken) = (invitation!.Id, token!);
            }
            await w.App.Services.GetRequiredService<INotifier>().NotifyWorkspaceAsync(ws, NotificationKinds.CampaignStarted, "Started", null, null);
            w.ViewerNotificationId = await w.App.QueryAsync(db => db.Notifications.IgnoreQueryFilters()
                .Where(n => n.UserId == db.Users.Where(u => u.Email == "viewer@example.test").Select(u => u.Id).Single()).Select(n => n.Id).SingleAsync());
            return w;
        }

        private WebSession NewSession() =>
            new(Host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

        private async Task<WebSession> SignInAsync(string email)
        {
            var session = NewSession();
            var response = await session.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = SendCraftApp.OwnerPassword });
            Assert.Equal("/", response.Headers.Location?.OriginalString);
            return session;
        }

        /// <summary>Calls the handler as the session: route values and handler arguments that exist in Acme, a valid antiforgery token.</summary>
        public async Task<HttpResponseMessage> SendAsync(WebSession session, PageHandler h, bool htmx = false)
        {
            var path = RouteParameter().Replace(h.Route, m => RouteValue(h, m.Groups[1].Value));
            var fields = new Dictionary<string, string>();
            if (!string.IsNullOrEmpty(h.Handler.Name)) fields["handler"] = h.Handler.Name;
            var routeNames = RouteParameter().Matches(h.Route).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var p in h.Handler.MethodInfo.GetParameters())
            {
                if (routeNames.Contains(p.Name!) || !IsSimple(p.ParameterType) || p.GetCustomAttribute<FromFormAttribute>() is not null) continue;
                foreach (var value in ArgumentValues(h, p.Name!)) fields[p.Name!] = value;
            }

            var isRead = WorkspaceRoleRules.IsRead(h.Handler.HttpMethod);
            using var request = isRead
                ? new HttpRequestMessage(HttpMethod.Get, path + "?" + string.Join("&", fields.Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}")))
                : new HttpRequestMessage(new HttpMethod(h.Handler.HttpMethod.ToUpperInvariant()), path + (fields.Remove("handler", out var name) ? $"?handler={name}" : ""));
            if (!isRead)
            {
                var token = await TokenAsync(session);
                if (htmx)
                {
                    request.Headers.Add("HX-Request", "true");
                    request.Headers.Add("RequestVerificationToken", token);
                }
                else
                {
                    fields["__RequestVerificationToken"] = token;
                }
                request.Content = new FormUrlEncodedContent(fields);
            }
            return await session.Client.SendAsync(request);
        }

        /// <summary>The session's antiforgery token, read once from the sign-in page (it renders for everyone).</summary>
        private async Task<string> TokenAsync(WebSession session)
        {
            if (_tokens.TryGetValue(session, out var token)) return token;
            var page = await session.GetPageAsync("/Account/Login");
            return _tokens[session] = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        }

        private string RouteValue(PageHandler h, string name) => (h.Page.ViewEnginePath, name) switch
        {
            ("/Lists/Details", "id") => ListId.ToString(),
            ("/Contacts/Details", "id") => ContactId.ToString(),
            ("/Domains/Details", "id") => DomainId.ToString(),
            ("/Imports/Details", "id") => ImportId.ToString(),
            ("/Messages/Detail", "id") => MessageId.ToString(),
            ("/Inbox/Detail", "id") => InboundMessageId.ToString(),
            ("/SmtpAccounts/Edit", "id") => AccountId.ToString(),
            ("/Templates/Edit", "key") => TemplateId.ToString(),
            ("/Webhooks/Edit" or "/Webhooks/Details", "id") => WebhookEndpointId.ToString(),
            ("/Campaigns/Details" or "/Campaigns/Edit", "id") => CampaignId.ToString(),
            (_, "listId") => ListId.ToString(),
            (_, "token") => InvitationToken,
            _ => throw new InvalidOperationException($"{h.Key}: no test value for route parameter {{{name}}}; add one in RouteValue."),
        };

        /// <summary>Handler arguments by name; a handler with an argument not known here fails the test until one is added.</summary>
        private IEnumerable<string> ArgumentValues(PageHandler h, string name) => (h.Page.ViewEnginePath, h.Handler.Name, name) switch
        {
            ("/Lists/Index", _, "id") => [ListId.ToString()],
            ("/Contacts/Index", _, "id") => [ContactId.ToString()],
            ("/Templates/Index", _, "id") => [TemplateId.ToString()],
            ("/Domains/Index", _, "id") => [DomainId.ToString()],
            ("/SmtpAccounts/Index", _, "id") => [AccountId.ToString()],
            ("/Suppressions/Index", _, "id") => [SuppressionId.ToString()],
            ("/ApiKeys/Index", _, "id") => [ApiKeyId.ToString()],
            ("/Webhooks/Index", _, "id") => [WebhookEndpointId.ToString()],
            ("/Webhooks/Details", _, "deliveryId") => [WebhookDeliveryId.ToString()],
            ("/Campaigns/Index", _, "id") => [CampaignId.ToString()],
            (_, _, "templateId") => [TemplateId.ToString()],
            ("/Settings/Members", "Revoke", "id") => [InvitationId.ToString()],
            ("/Settings/Members", _, "id") => [TargetMemberId.ToString()],
            ("/Notifications/Index", _, "id") => [ViewerNotificationId.ToString()],
            (_, _, "contactId") => [ContactId.ToString()],
            (_, _, "listId") => [ListId.ToString()],
            (_, _, "ids") => [ContactId.ToString()],
            (_, _, "email") => ["someone.new@example.com"],
            (_, _, "name") => ["Renamed"],
            (_, _, "description") => [""],
            (_, _, "role") => [nameof(WorkspaceRole.Viewer)],
            (_, _, "bulkAction") => ["delete"],
            (_, _, "confirmed") => ["false"],
            (_, _, "read") => ["true"],
            (_, _, "workspaceId") => [WorkspaceId.ToString()],
            (_, _, "password") => ["not the password"],
            (_, _, "code") => ["400"],
            // No such column: the start is refused, so no import runs in the background while snapshots are compared.
            (_, _, "emailColumn") => ["99"],
            (_, _, "nameColumn" or "attributeColumns") => [],
            (_, _, "policy") => ["Skip"],
            _ => throw new InvalidOperationException($"{h.Key}: no test value for argument {name}; add one in ArgumentValues."),
        };

        private static bool IsSimple(Type t)
        {
            t = Nullable.GetUnderlyingType(t) ?? t;
            if (t.IsArray) return IsSimple(t.GetElementType()!);
            return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal);
        }

        /// <summary>The workspace data a handler could change, serialized: equal snapshots mean nothing changed.</summary>
        public Task<string> SnapshotAsync() => App.QueryAsync(async db =>
        {
            var data = new List<object>
            {
                await db.Workspaces.AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.Name, x.RequireTwoFactor }).ToListAsync(),
                await db.WorkspaceMembers.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.WorkspaceId, x.UserId, x.Role }).ToListAsync(),
                await db.Invitations.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.Email, x.Role, x.AcceptedAt, x.RevokedAt }).ToListAsync(),
                await db.Users.AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.Email, x.DisplayName, x.PasswordHash, x.TwoFactorEnabled }).ToListAsync(),
                await db.Contacts.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).ToListAsync(),
                await db.ContactLists.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).ToListAsync(),
                await db.ListMembers.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.ListId).ThenBy(x => x.ContactId).Select(x => new { x.ListId, x.ContactId }).ToListAsync(),
                await db.ContactImports.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.Status, x.MappingJson }).ToListAsync(),
                await db.EmailTemplates.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).ToListAsync(),
                await db.SendingDomains.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.Name, x.IsActive, x.DnsCheckedAt, x.DnsCheckResult }).ToListAsync(),
                await db.SmtpAccounts.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.FromEmail, x.Host, x.Port, x.IsActive, x.Username, x.PasswordProtected }).ToListAsync(),
                await db.OutboundMessages.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.Recipient, x.Status }).ToListAsync(),
                await db.Suppressions.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.Email, x.Reason, x.Detail }).ToListAsync(),
                await db.Campaigns.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id)
                    .Select(x => new { x.Id, x.Name, x.Status, x.Subject, x.HtmlBody, x.ScheduledAt, x.SmtpAccountId, x.UpdatedAt }).ToListAsync(),
                await db.OutboundMessages.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.CampaignId, x.IsTest }).ToListAsync(),
                await db.Notifications.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.UserId, x.ReadAt }).ToListAsync(),
                await db.ApiKeys.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.Name, x.Scopes, x.RevokedAt }).ToListAsync(),
                await db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.Url, x.EventTypes, x.IsEnabled, x.SecretProtected }).ToListAsync(),
                await db.WebhookDeliveries.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.EventId, x.Status }).ToListAsync(),
                await db.InboundMessages.IgnoreQueryFilters().AsNoTracking().OrderBy(x => x.Id).Select(x => new { x.Id, x.IsRead }).ToListAsync(),
            };
            return JsonSerializer.Serialize(data, SnapshotJson);
        });

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await App.DisposeAsync();
            await _dns.DisposeAsync();
        }
    }

    [GeneratedRegex(@"\{(\w+)[^}]*\}")]
    private static partial Regex RouteParameter();
}

public sealed class HandlerAuthorizationTests_Sqlite() : HandlerAuthorizationTests(DatabaseKind.Sqlite);
public sealed class HandlerAuthorizationTests_MariaDb() : HandlerAuthorizationTests(DatabaseKind.MariaDb);
