using System.Net;
using SendCraft.Web.Data;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// Builders for sending domains and SMTP accounts that go through the real pages (the forms without JavaScript), so the
/// rows they make are exactly what an operator would make. The session must be an admin or owner of the active workspace.
/// </summary>
public static class SendingBuilders
{
    /// <summary>Adds an active sending domain (with a new DKIM key) and returns its id.</summary>
    public static async Task<long> CreateDomainAsync(this WebSession owner, string name)
    {
        var response = await owner.SubmitFormAsync("/domains", new() { ["Input.Name"] = name }, "#domain-form form");
        var location = response.Headers.Location?.OriginalString ?? "";
        Assert.True(location.StartsWith("/domains/", StringComparison.Ordinal),
            $"Domain {name} was not created: {(int)response.StatusCode}\n{await ValidationMessagesAsync(response)}");
        return long.Parse(location["/domains/".Length..]);
    }

    /// <summary>Adds an active SMTP account; its address must be at an active domain of the workspace. Returns its id.</summary>
    public static async Task<long> CreateSmtpAccountAsync(this WebSession owner, string fromEmail, string host, int port,
        SmtpSecurity security = SmtpSecurity.None, string? user = null, string? password = null, bool acceptInvalidCertificate = false,
        int maxConnections = 4, int messagesPerSecond = 1000)
    {
        var response = await owner.SubmitFormAsync("/smtp-accounts/edit", SmtpAccountFields(fromEmail, host, port, security, user, password,
            acceptInvalidCertificate, maxConnections, messagesPerSecond), "#account-form form");
        var location = response.Headers.Location?.OriginalString ?? "";
        Assert.True(location.StartsWith("/smtp-accounts?saved=", StringComparison.Ordinal),
            $"SMTP account {fromEmail} was not created: {(int)response.StatusCode}\n{await ValidationMessagesAsync(response)}");
        return long.Parse(location["/smtp-accounts?saved=".Length..]);
    }

    /// <summary>The form fields of the SMTP account editor, for tests that post it themselves.</summary>
    public static Dictionary<string, string> SmtpAccountFields(string fromEmail, string host, int port,
        SmtpSecurity security = SmtpSecurity.None, string? user = null, string? password = null, bool acceptInvalidCertificate = false,
        int maxConnections = 4, int messagesPerSecond = 1000)
    {
        var fields = new Dictionary<string, string>
        {
            ["Input.FromEmail"] = fromEmail, ["Input.FromName"] = "Test Sender", ["Input.Host"] = host, ["Input.Port"] = port.ToString(),
            ["Input.Security"] = security.ToString(), ["Input.Username"] = user ?? "", ["Input.Password"] = password ?? "",
            ["Input.MaxConnections"] = maxConnections.ToString(), ["Input.MessagesPerSecond"] = messagesPerSecond.ToString(),
            ["Input.DailyLimit"] = "0", ["Input.IsActive"] = "true",
        };
        if (acceptInvalidCertificate) fields["Input.AcceptInvalidCertificate"] = "true";
        return fields;
    }

    /// <summary>Runs "Test connection" for an account (htmx, as the button does) and returns the sentence shown.</summary>
    public static async Task<(string Outcome, string Summary, string Html)> TestSmtpConnectionAsync(this WebSession owner, long accountId)
    {
        var page = await owner.GetPageAsync("/smtp-accounts");
        var response = await owner.HtmxPostAsync(page, $"/smtp-accounts?handler=Test&id={accountId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var panel = await WebSession.ParseAsync(html);
        var result = panel.QuerySelector("#connection-test-result") ?? throw new InvalidOperationException("No test result in: " + html);
        return (result.GetAttribute("data-outcome")!, panel.QuerySelector("#connection-test-summary")!.TextContent.Trim(), result.TextContent);
    }

    /// <summary>A member added with <see cref="SendCraftApp.AddMemberAsync"/>, signed in (password OwnerPassword).</summary>
    public static async Task<WebSession> SignInMemberAsync(this SendCraftApp app, string email)
    {
        var session = app.NewSession();
        var response = await session.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = SendCraftApp.OwnerPassword });
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return session;
    }

    /// <summary>Creates another workspace through the real page; the session then works in it. Returns its id.</summary>
    public static async Task<long> CreateWorkspaceAsync(this WebSession session, string name)
    {
        var response = await session.SubmitFormAsync("/Workspaces/New", new() { ["Name"] = name });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("SendCraft.Workspace=", StringComparison.Ordinal));
        return long.Parse(cookie.Split(';')[0].Split('=')[1]);
    }

    private static async Task<string> ValidationMessagesAsync(HttpResponseMessage response)
    {
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        var messages = page.QuerySelectorAll(".field-validation-error, .validation-summary-errors").Select(e => e.TextContent.Trim());
        return string.Join("\n", messages);
    }
}
