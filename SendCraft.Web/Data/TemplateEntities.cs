namespace SendCraft.Web.Data;

public enum TemplateType
{
    Welcome,
    Order,
    Newsletter,
    Notification,
    Other,
}

/// <summary>An email template: Liquid subject, HTML and text, with sample data for the preview.</summary>
public sealed class EmailTemplate : ITenantOwned
{
    public const int NameMaxLength = 200;
    public const int SubjectMaxLength = 500;

    public long Id { get; set; }
    public long WorkspaceId { get; set; }
    public Workspace? Workspace { get; set; }
    public string Name { get; set; } = "";
    public TemplateType Type { get; set; } = TemplateType.Other;
    public string Subject { get; set; } = "";
    public string HtmlBody { get; set; } = "";
    /// <summary>Empty: the text part is generated from the rendered HTML when a message is sent.</summary>
    public string TextBody { get; set; } = "";
    /// <summary>JSON object of example values, used by the preview and to point out variables without one.</summary>
    public string SampleData { get; set; } = "{}";
    public bool IsActive { get; set; } = true;
    /// <summary>Messages rendered from this template; the sending engine increments it.</summary>
    public int UsageCount { get; set; }
    /// <summary>Bumped on every save: compiled templates are cached under (Id, Version).</summary>
    public int Version { get; set; } = 1;
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime UpdatedAt { get; set; } = DateTime.UtcNow;
}
