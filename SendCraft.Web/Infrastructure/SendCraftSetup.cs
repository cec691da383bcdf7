using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using SendCraft.Web.Analytics;
using SendCraft.Web.Campaigns;
using SendCraft.Web.Api;
using SendCraft.Web.Contacts;
using SendCraft.Web.Data;
using SendCraft.Web.Inbound;
using SendCraft.Web.Pages.Account;
using SendCraft.Web.Pages.Setup;
using SendCraft.Web.Realtime;
using SendCraft.Web.Sending;
using SendCraft.Web.Templating;
using SendCraft.Web.Tracking;
using SendCraft.Web.Submission;
using SendCraft.Web.Unsubscribe;
using SendCraft.Web.Webhooks;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Infrastructure;

/// <summary>The application's wiring, kept out of Program.cs.</summary>
public static class SendCraftSetup
{
    public static WebApplicationBuilder AddSendCraft(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSendCraftDatabase();
        builder.AddSendCraftDataProtection();
        services.AddSendCraftIdentity();
        services.AddScoped<CurrentWorkspace>();
        services.AddScoped<WorkspaceService>();
        services.AddSingleton<SetupState>();
        services.AddSingleton(TimeProvider.System);
        services.AddPublicAddress();
        // Before sending: the workers sign tracking and bounce tokens with the keys it loads at start.
        services.AddSendCraftTracking();
        services.AddSendCraftSending();
        services.AddTemplating();
        services.AddContacts();
        services.AddCampaigns(builder.Configuration);
        services.AddAnalytics();
        builder.AddRealtime();
        services.AddSendCraftApi();
        services.AddWebhooks();
        services.AddSmtpSubmission();
        services.AddUnsubscribe();
        services.AddSendCraftInbound();

        // Every page needs a signed-in user unless it says [AllowAnonymous]; workspace roles by policy, per handler,
        // as WorkspaceRoleRules decides (folder map and [RequiresRole]/[NoWorkspaceRole]).
        services.AddWorkspaceAuthorization();
        services.AddRazorPages(o => o.Conventions.AddWorkspaceRoles());
        services.AddAntiforgery(o =>
        {
            o.HeaderName = "RequestVerificationToken";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // its default is None: never Secure
        });
        services.AddSendCraftSecurityHeaders();

        // Behind Nginx: trust X-Forwarded-For/Proto from the local proxy only (the defaults: loopback).
        services.Configure<ForwardedHeadersOptions>(o =>
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost);
        return builder;
    }

    /// <summary>
    /// <see cref="AddSendCraft"/> for Program.cs: a setting the app cannot start without is reported as one line on
    /// stderr (the journal shows it), not as a stack trace. Returns the exit code to stop with, or null to go on.
    /// </summary>
    public static int? TryAddSendCraft(this WebApplicationBuilder builder)
    {
        try
        {
            builder.AddSendCraft();
            return null;
        }
        catch (StartupSettingException e)
        {
            Console.Error.WriteLine($"SendCraft cannot start: {e.Message}");
            return StartupSettingException.ExitCode;
        }
    }

    public static WebApplication UseSendCraft(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseSendCraftSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error");
            app.UseHsts();
        }
        else
        {
            app.UseDeveloperExceptionPage();
        }
        app.UseStatusCodePagesWithReExecute("/Error", "?code={0}");
        app.UseSendCraftApiResponses(); // /api answers problem+json, never the HTML error page
        app.UseStaticFiles();
        app.UseRouting();
        app.UseMiddleware<SetupRedirectMiddleware>();
        app.UseAuthentication();
        app.UseMiddleware<CurrentWorkspaceMiddleware>();
        app.UseAuthorization();
        app.UseRateLimiter(); // after authorization: the API's limits are per key, and the key is known by then
        app.MapHealthEndpoint();
        app.MapTrackingEndpoints();
        app.MapRazorPages();
        app.MapUnsubscribe(); // POST /u/{token}, before the page of that route
        app.MapRealtime();
        app.MapSendCraftApi();
        app.MapSendCraftOpenApi();
        return app;
    }

    private static void AddSendCraftIdentity(this IServiceCollection services)
    {
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                PasswordRules.Apply(o.Password);
            })
            .AddSignInManager()
            .AddDefaultTokenProviders()
            // Replaces Identity's authenticator provider: a TOTP code is accepted once (RFC 6238 §5.2).
            .AddTokenProvider<OneTimeAuthenticatorTokenProvider>(TokenOptions.DefaultAuthenticatorProvider)
            .AddEntityFrameworkStores<SendCraftDbContext>();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.Name = "SendCraft.Auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
        });
    }
}
