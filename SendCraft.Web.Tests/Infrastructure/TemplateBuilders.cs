using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Data;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>Test data builders for templates and for users who belong to another workspace.</summary>
public static class TemplateBuilders
{
    /// <summary>A saved template in <paramref name="workspaceId"/>, written through the real DbContext.</summary>
    public static async Task<EmailTemplate> AddTemplateAsync(this SendCraftApp app, long workspaceId, string name,
        string subject = "Hello {{ first_name }}", string html = "<p>Hi {{ first_name }}</p>", string text = "",
        TemplateType type = TemplateType.Newsletter, string sampleData = """{"first_name": "Ada"}""")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
        var template = new EmailTemplate { Name = name, Subject = subject, HtmlBody = html, TextBody = text, Type = type, SampleData = sampleData };
        db.EmailTemplates.Add(template);
        await db.SaveChangesAsync();
        return template;
    }

    /// <summary>A new workspace whose only member is a new user with <paramref name="role"/>; returns its id.</summary>
    public static async Task<long> AddWorkspaceWithMemberAsync(this SendCraftApp app, string workspace, string email, WorkspaceRole role = WorkspaceRole.Owner)
    {
        long id;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
            var entity = new Workspace { Name = workspace };
            db.Workspaces.Add(entity);
            await db.SaveChangesAsync();
            id = entity.Id;
        }
        await app.AddMemberAsync(id, email, role);
        return id;
    }

    /// <summary>Signs a user in through the login page and returns the session.</summary>
    public static async Task<WebSession> SignInAsync(this SendCraftApp app, string email, string password = SendCraftApp.OwnerPassword)
    {
        var session = app.NewSession();
        var response = await session.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return session;
    }
}
