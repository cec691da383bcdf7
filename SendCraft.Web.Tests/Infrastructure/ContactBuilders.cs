using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Contacts;
using SendCraft.Web.Data;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>Test data builders and steps for contacts, lists and imports.</summary>
public static class ContactBuilders
{
    /// <summary>A workspace nobody in the test is a member of.</summary>
    public static Task<long> AddWorkspaceAsync(this SendCraftApp app, string name) => app.QueryAsync(async db =>
    {
        var workspace = new Workspace { Name = name };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        return workspace.Id;
    });

    public static async Task<Contact> AddContactAsync(this SendCraftApp app, long workspaceId, string email, string name = "",
        Dictionary<string, string>? attributes = null, ContactStatus status = ContactStatus.Active, long id = 0)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
        var contact = new Contact { Id = id, Email = email, Name = name, AttributesJson = ContactAttributes.Serialize(attributes ?? []), Status = status };
        db.Contacts.Add(contact);
        await db.SaveChangesAsync();
        return contact;
    }

    /// <summary>Many contacts at once (ids ascending in the order given).</summary>
    public static async Task AddContactsAsync(this SendCraftApp app, long workspaceId, IEnumerable<(string Email, string Name)> contacts, long? listId = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
        var added = contacts.Select(c => new Contact { Email = c.Email, Name = c.Name }).ToList();
        db.Contacts.AddRange(added);
        await db.SaveChangesAsync();
        if (listId is { } l)
        {
            await ContactWrites.AddToListAsync(db, l, added.Select(c => c.Id).ToList(), CancellationToken.None);
        }
    }

    public static async Task<ContactList> AddListAsync(this SendCraftApp app, long workspaceId, string name, string description = "")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
        var list = new ContactList { Name = name, Description = description };
        db.ContactLists.Add(list);
        await db.SaveChangesAsync();
        return list;
    }

    public static async Task AddToListAsync(this SendCraftApp app, long workspaceId, long listId, params long[] contactIds)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SendCraftDbContext>();
        using var _ = scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
        await ContactWrites.AddToListAsync(db, listId, contactIds, CancellationToken.None);
    }

    /// <summary>Uploads a CSV through the real upload form (multipart, antiforgery token from the page) and returns the new import's id.</summary>
    public static async Task<long> UploadCsvAsync(this WebSession session, long listId, byte[] content, string fileName = "contacts.csv")
    {
        var page = await session.GetPageAsync($"/lists/{listId}/import");
        var token = page.QuerySelector("#upload-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(token), "__RequestVerificationToken");
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        var response = await session.Client.PostAsync($"/lists/{listId}/import", form);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return long.Parse(response.Headers.Location!.OriginalString.Split('/').Last());
    }

    /// <summary>Submits the mapping form (defaults as the page proposes them, overridden by <paramref name="fields"/>).</summary>
    public static async Task<HttpResponseMessage> StartImportAsync(this WebSession session, long importId, Dictionary<string, string>? fields = null)
    {
        var page = await session.GetPageAsync($"/imports/{importId}");
        return await session.SubmitFormAsync(page, $"/imports/{importId}", fields ?? [], "#mapping-form");
    }

    /// <summary>Waits until the worker has finished the import (the test fails after <paramref name="timeoutSeconds"/>).</summary>
    public static async Task<ContactImport> WaitForImportAsync(this SendCraftApp app, long importId, int timeoutSeconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var import = await app.QueryAsync(db => db.ContactImports.IgnoreQueryFilters().AsNoTracking().SingleAsync(i => i.Id == importId));
            if (import.IsFinished) return import;
            Assert.True(DateTime.UtcNow < deadline, $"Import {importId} still {import.Status} after {timeoutSeconds} s ({import.RowsRead} rows read).");
            await Task.Delay(100);
        }
    }

    /// <summary>Upload, map (defaults plus <paramref name="fields"/>), wait: the whole import as a user does it.</summary>
    public static async Task<ContactImport> ImportCsvAsync(this SendCraftApp app, WebSession session, long listId, byte[] content, Dictionary<string, string>? fields = null)
    {
        var id = await session.UploadCsvAsync(listId, content);
        var started = await session.StartImportAsync(id, fields);
        Assert.True(started.StatusCode == HttpStatusCode.Redirect, $"Start answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        return await app.WaitForImportAsync(id);
    }

    public static Task<List<Contact>> ContactsOfAsync(this SendCraftApp app, long workspaceId) =>
        app.QueryAsync(db => db.Contacts.IgnoreQueryFilters().AsNoTracking().Where(c => c.WorkspaceId == workspaceId).OrderBy(c => c.Id).ToListAsync());

    /// <summary>The message of the "toast" event in a response's HX-Trigger header.</summary>
    public static string ToastMessage(this HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues("HX-Trigger", out var values), $"No HX-Trigger header ({(int)response.StatusCode})");
        using var json = System.Text.Json.JsonDocument.Parse(values.Single());
        return json.RootElement.GetProperty("toast").GetProperty("message").GetString()!;
    }

    public static string Text(this IDocument page, string selector) => page.QuerySelector(selector)?.TextContent.Trim() ?? "";
}
