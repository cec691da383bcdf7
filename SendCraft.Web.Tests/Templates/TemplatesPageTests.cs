using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Templates;

public abstract class TemplatesPageTests(DatabaseKind kind)
{
    private static Dictionary<string, string> Form(string name, string subject = "Hello {{ first_name }}", string html = "<h1>Hi {{ first_name }}</h1>",
        string text = "", string sample = """{"first_name": "Ada"}""", string type = "Welcome") => new()
    {
        ["Input.Name"] = name, ["Input.Type"] = type, ["Input.Subject"] = subject,
        ["Input.HtmlBody"] = html, ["Input.TextBody"] = text, ["Input.SampleData"] = sample,
    };

    private static Task<List<EmailTemplate>> AllTemplatesAsync(SendCraftApp app) =>
        app.QueryAsync(db => db.EmailTemplates.IgnoreQueryFilters().OrderBy(t => t.Id).ToListAsync());

    [Fact]
    public async Task EmptyList_ShowsEmptyState_ThenCreateThroughTheForm_SavesAndLists()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var empty = await owner.GetPageAsync("/templates");
        Assert.Contains("No templates yet", empty.QuerySelector(".empty-state")!.TextContent);
        Assert.NotNull(empty.QuerySelector("nav.sidebar a.nav-link.active[href='/templates']"));

        var saved = await owner.SubmitFormAsync("/templates/new", Form("Welcome mail", text: "Hi {{ first_name }}"), "#template-form");
        var template = Assert.Single(await AllTemplatesAsync(app));
        Assert.Equal($"/templates/{template.Id}", saved.Headers.Location?.OriginalString);
        Assert.Equal(("Welcome mail", TemplateType.Welcome, "Hello {{ first_name }}", "<h1>Hi {{ first_name }}</h1>", "Hi {{ first_name }}", true, 0, 1),
            (template.Name, template.Type, template.Subject, template.HtmlBody, template.TextBody, template.IsActive, template.UsageCount, template.Version));
        Assert.Equal(await app.WorkspaceIdAsync("Acme"), template.WorkspaceId);

        var edit = await owner.FollowAsync(saved);
        Assert.Contains("saved", edit.QuerySelector(".alert-success")!.TextContent);
        Assert.Equal("Hello Ada", edit.QuerySelector("#preview-subject")!.TextContent.Trim());

        var list = await owner.GetPageAsync("/templates");
        var row = list.QuerySelector($"#template-{template.Id}")!;
        Assert.Contains("Welcome mail", row.TextContent);
        Assert.Equal("Welcome", row.QuerySelector(".badge")!.TextContent.Trim());
        Assert.Contains("Hello {{ first_name }}", row.TextContent);
        Assert.Contains("Active", row.TextContent);
    }

    [Fact]
    public async Task Save_WithSyntaxError_IsRefusedWithLineAndColumn_AndKeepsWhatWasTyped()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var typed = "<p>Hello</p>\n<p>{% if vip %}Gold member</p>";
        var response = await owner.SubmitFormAsync("/templates/new", Form("Broken", html: typed), "#template-form");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        var message = page.QuerySelector("[data-valmsg-for='Input.HtmlBody']")!.TextContent;
        Assert.Contains("HTML body, line 2, column", message);
        Assert.Contains("{% endif %}", message);
        Assert.Equal(typed, page.QuerySelector("#Input_HtmlBody")!.TextContent.Replace("\r\n", "\n").TrimStart('\n'));
        Assert.Equal("Broken", page.QuerySelector("#Input_Name")!.GetAttribute("value"));
        Assert.Empty(await AllTemplatesAsync(app));
    }

    [Fact]
    public async Task Save_WithInvalidSampleJson_ShowsTheErrorNextToTheField()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var response = await owner.SubmitFormAsync("/templates/new", Form("Json", sample: "{\"first_name\": \"Ada\",,}"), "#template-form");
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("Sample data is not valid JSON (line 1, column", page.QuerySelector("[data-valmsg-for='Input.SampleData']")!.TextContent);
        Assert.Empty(await AllTemplatesAsync(app));
    }

    [Fact]
    public async Task Save_PointsOutVariablesWithoutASampleValue()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var saved = await owner.SubmitFormAsync("/templates/new",
            Form("Order", html: "<p>{{ first_name }}: {{ order.total }}</p>{% for item in items %}{{ item.name }}{% endfor %}"), "#template-form");
        var page = await owner.FollowAsync(saved);
        Assert.Contains("No sample value for: items, order.total", page.QuerySelector(".alert-success")!.TextContent);
        Assert.Contains("items, order.total", page.QuerySelector("#missing-samples")!.TextContent);
        Assert.Equal(["first_name", "items", "order.total"], page.QuerySelectorAll("#preview-variables [data-variable]").Select(e => e.GetAttribute("data-variable")));
        Assert.Equal(["true", "false", "false"], page.QuerySelectorAll("#preview-variables [data-variable]").Select(e => e.GetAttribute("data-has-sample")));
    }

    [Fact]
    public async Task Edit_ChangesTheTemplate_AndAStaleFormIsRefused()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var template = await app.AddTemplateAsync(await app.WorkspaceIdAsync("Acme"), "Digest");
        var url = $"/templates/{template.Id}";
        var staleForm = await owner.GetPageAsync(url);

        var saved = await owner.SubmitFormAsync(url, Form("Weekly digest", subject: "Your week, {{ first_name }}", type: "Newsletter"), "#template-form");
        Assert.Equal(url, saved.Headers.Location?.OriginalString);
        var after = Assert.Single(await AllTemplatesAsync(app));
        Assert.Equal(("Weekly digest", "Your week, {{ first_name }}", 2), (after.Name, after.Subject, after.Version));

        var stale = await owner.SubmitFormAsync(staleForm, url, Form("Overwrite"), "#template-form");
        Assert.Contains("Someone else saved this template", await stale.Content.ReadAsStringAsync());
        Assert.Equal("Weekly digest", Assert.Single(await AllTemplatesAsync(app)).Name);
    }

    [Fact]
    public async Task Save_WithANameAlreadyUsed_IsRefused()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        await app.AddTemplateAsync(await app.WorkspaceIdAsync("Acme"), "Receipt");
        var response = await owner.SubmitFormAsync("/templates/new", Form("Receipt"), "#template-form");
        var page = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("already exists", page.QuerySelector("[data-valmsg-for='Input.Name']")!.TextContent);
        Assert.Single(await AllTemplatesAsync(app));
    }

    [Fact]
    public async Task Search_FindsByNameSubjectAndContent_IgnoringCase()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var ws = await app.WorkspaceIdAsync("Acme");
        await app.AddTemplateAsync(ws, "Spring Sale", subject: "Offers");
        await app.AddTemplateAsync(ws, "Receipt", subject: "Your ORDER {{ order.number }}");
        await app.AddTemplateAsync(ws, "Welcome", html: "<p>Thanks for joining the Garden Club</p>");
        await app.AddTemplateAsync(ws, "100%_literal", subject: "Percent");

        async Task<List<string>> SearchAsync(string q)
        {
            var response = await owner.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/templates?handler=Rows&q={Uri.EscapeDataString(q)}") { Headers = { { "HX-Request", "true" } } });
            var rows = await WebSession.ParseAsync($"<table><tbody>{await response.Content.ReadAsStringAsync()}</tbody></table>");
            return rows.QuerySelectorAll("tr[id^=template-] td:first-child").Select(td => td.TextContent.Trim()).ToList();
        }

        Assert.Equal(["Spring Sale"], await SearchAsync("sale"));
        Assert.Equal(["Receipt"], await SearchAsync("order"));
        Assert.Equal(["Welcome"], await SearchAsync("garden club"));
        Assert.Equal(["100%_literal"], await SearchAsync("%_"));
        Assert.Empty(await SearchAsync("nothing like it"));
        var page = await owner.GetPageAsync("/templates?q=garden");
        Assert.Single(page.QuerySelectorAll("#template-rows tr[id^=template-]"));
    }

    [Fact]
    public async Task List_PagesBy25_WithLoadMore()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var ws = await app.WorkspaceIdAsync("Acme");
        for (var i = 1; i <= 30; i++) await app.AddTemplateAsync(ws, $"Template {i:00}");

        var first = await owner.GetPageAsync("/templates");
        var names = first.QuerySelectorAll("#template-rows tr[id^=template-] td:first-child").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(25, names.Count);
        Assert.Equal("Template 30", names[0]);
        var more = first.QuerySelector("#load-more a")!.GetAttribute("href")!;

        var second = await owner.GetPageAsync(more);
        var rest = second.QuerySelectorAll("#template-rows tr[id^=template-] td:first-child").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(["Template 05", "Template 04", "Template 03", "Template 02", "Template 01"], rest);
        Assert.Null(second.QuerySelector("#load-more"));
    }

    [Fact]
    public async Task Duplicate_MakesACopyOfTheTemplate_NumberedWhenTheNameIsTaken()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var source = await app.AddTemplateAsync(await app.WorkspaceIdAsync("Acme"), "Invoice", html: "<p>Total {{ total }}</p>");
        var list = await owner.GetPageAsync("/templates");

        var response = await owner.HtmxPostAsync(list, $"/templates?handler=Duplicate&id={source.Id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("toast", string.Join("", response.Headers.GetValues("HX-Trigger")));
        var rows = await WebSession.ParseAsync($"<table><tbody>{await response.Content.ReadAsStringAsync()}</tbody></table>");
        Assert.Equal(["Copy of Invoice", "Invoice"], rows.QuerySelectorAll("tr td:first-child").Select(td => td.TextContent.Trim()));

        await owner.HtmxPostAsync(list, $"/templates?handler=Duplicate&id={source.Id}");
        var all = await AllTemplatesAsync(app);
        Assert.Equal(["Invoice", "Copy of Invoice", "Copy of Invoice (2)"], all.Select(t => t.Name));
        Assert.All(all, t => Assert.Equal("<p>Total {{ total }}</p>", t.HtmlBody));
    }

    [Fact]
    public async Task Delete_RemovesTheTemplate_AndAnswersAnEmptyRow()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var template = await app.AddTemplateAsync(await app.WorkspaceIdAsync("Acme"), "Old");
        var list = await owner.GetPageAsync("/templates");
        Assert.Contains("Delete the template", list.QuerySelector($"#template-{template.Id} [hx-confirm]")!.GetAttribute("hx-confirm"));

        var response = await owner.HtmxPostAsync(list, $"/templates?handler=Delete&id={template.Id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Empty(await AllTemplatesAsync(app));
    }

    [Fact]
    public async Task Preview_ReturnsTheRenderedSubject_AndTheHtmlInASandboxedIframe()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var editor = await owner.GetPageAsync("/templates/new");
        // Debounced typing anywhere in the form: site.js raises "template-input" on body for input inside #template-form
        // (the trigger listens on body: a save replaces the form element; a filter expression would need eval, which
        // the Content-Security-Policy forbids).
        var trigger = editor.QuerySelector("#preview-panel")!.GetAttribute("hx-trigger")!;
        Assert.Contains("template-input delay:500ms from:body", trigger);
        Assert.DoesNotContain("[", trigger);
        Assert.NotNull(editor.QuerySelector("form#template-form"));

        var response = await owner.HtmxPostAsync(editor, "/templates/new?handler=Preview", Form("Draft",
            subject: "Order {{ order.number }} for {{ first_name }}",
            html: "<h1>Hi {{ first_name }}</h1><p>{{ note }}</p>",
            sample: """{"first_name": "Ada", "order": {"number": "A-1"}, "note": "<script>alert('x')</script>"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var preview = await WebSession.ParseAsync(body);
        Assert.Equal("Order A-1 for Ada", preview.QuerySelector("#preview-subject")!.TextContent.Trim());
        var iframe = preview.QuerySelector("iframe.preview-frame")!;
        Assert.Equal("", iframe.GetAttribute("sandbox"));
        Assert.Equal("<h1>Hi Ada</h1><p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</p>", iframe.GetAttribute("srcdoc"));
        Assert.DoesNotContain("srcdoc=\"<", body); // attribute-encoded in the markup itself
        Assert.Empty(await AllTemplatesAsync(app)); // a preview never saves
    }

    [Fact]
    public async Task Preview_OfASyntaxError_ShowsLineAndColumn()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var editor = await owner.GetPageAsync("/templates/new");
        var response = await owner.HtmxPostAsync(editor, "/templates/new?handler=Preview", Form("Draft", html: "ok\n{{ first_name "));
        var preview = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Contains("HTML body, line 2, column", preview.QuerySelector("#preview-errors")!.TextContent);
        Assert.Null(preview.QuerySelector("iframe"));
    }

    [Fact]
    public async Task GenerateText_FillsTheTextBodyFromTheHtml()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var editor = await owner.GetPageAsync("/templates/new");
        var response = await owner.HtmxPostAsync(editor, "/templates/new?handler=GenerateText",
            Form("Draft", html: "<h1>Hi {{ first_name }}</h1><p>See <a href=\"https://example.com/a\">our offers</a></p><ul><li>One</li></ul>", text: "old"));
        var field = await WebSession.ParseAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal("Hi {{ first_name }}\n\nSee our offers (https://example.com/a)\n\n- One",
            field.QuerySelector("#Input_TextBody")!.TextContent.Replace("\r\n", "\n").TrimStart('\n'));
    }

    [Fact]
    public async Task AnotherWorkspacesTemplate_IsNotFound()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var theirs = await app.AddTemplateAsync(await app.WorkspaceIdAsync("Acme"), "Acme secret");
        await app.AddWorkspaceWithMemberAsync("Globex", "bob@example.test");
        var bob = await app.SignInAsync("bob@example.test");

        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/templates/{theirs.Id}")).StatusCode);
        var list = await bob.GetPageAsync("/templates");
        Assert.DoesNotContain("Acme secret", list.Body!.TextContent);
        var editor = await bob.GetPageAsync("/templates/new");
        Assert.Equal(HttpStatusCode.NotFound, (await bob.HtmxPostAsync(editor, $"/templates/{theirs.Id}?handler=Preview", Form("x"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.HtmxPostAsync(list, $"/templates?handler=Delete&id={theirs.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.HtmxPostAsync(list, $"/templates?handler=Duplicate&id={theirs.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.HtmxPostAsync(editor, $"/templates/{theirs.Id}", Form("Stolen"))).StatusCode);

        var all = await AllTemplatesAsync(app);
        Assert.Equal(("Acme secret", 1), (Assert.Single(all).Name, all[0].Version));
    }

    [Fact]
    public async Task Viewer_CanReadAndPreview_ButNotChange()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        var ws = await app.WorkspaceIdAsync("Acme");
        var template = await app.AddTemplateAsync(ws, "Policy");
        await app.AddMemberAsync(ws, "vera@example.test", WorkspaceRole.Viewer);
        var viewer = await app.SignInAsync("vera@example.test");

        var list = await viewer.GetPageAsync("/templates");
        Assert.NotNull(list.QuerySelector($"#template-{template.Id}"));
        Assert.Null(list.QuerySelector("#new-template"));
        Assert.Null(list.QuerySelector($"#template-{template.Id} [hx-confirm]"));
        var editor = await viewer.GetPageAsync($"/templates/{template.Id}");
        Assert.True(editor.QuerySelector("#template-form fieldset")!.HasAttribute("disabled"));
        Assert.Null(editor.QuerySelector("#save-template"));
        Assert.Equal("Hello Ada", editor.QuerySelector("#preview-subject")!.TextContent.Trim());

        var save = await viewer.SubmitFormAsync(editor, $"/templates/{template.Id}", Form("Changed"), "#template-form");
        Assert.NotEqual(HttpStatusCode.OK, save.StatusCode);
        Assert.Contains("/Account/AccessDenied", save.Headers.Location?.OriginalString);
        var create = await viewer.SubmitFormAsync(editor, "/templates/new", Form("New one"), "#template-form");
        Assert.Contains("/Account/AccessDenied", create.Headers.Location?.OriginalString);
        Assert.NotEqual(HttpStatusCode.OK, (await viewer.HtmxPostAsync(list, $"/templates?handler=Delete&id={template.Id}")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await viewer.HtmxPostAsync(list, $"/templates?handler=Duplicate&id={template.Id}")).StatusCode);

        var all = await AllTemplatesAsync(app);
        Assert.Equal(("Policy", 1), (Assert.Single(all).Name, all[0].Version));
    }
}

public sealed class TemplatesPageTests_Sqlite() : TemplatesPageTests(DatabaseKind.Sqlite);
public sealed class TemplatesPageTests_MariaDb() : TemplatesPageTests(DatabaseKind.MariaDb);
