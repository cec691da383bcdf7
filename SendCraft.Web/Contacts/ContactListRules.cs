using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Contacts;

/// <summary>What a list's name and description must be, for the list pages and the API alike.</summary>
public static class ContactListRules
{
    public const int NameMaxLength = 100;
    public const int DescriptionMaxLength = 500;

    public enum Field { Name, Description }

    /// <param name="IsDuplicate">The name is taken by another list of the workspace (the API answers 409 for it).</param>
    public sealed record Problem(Field Field, string Message, bool IsDuplicate = false);

    /// <summary>Name required, at most 100 characters, unique in the workspace; description at most 500. Null when fine.</summary>
    /// <param name="id">The list being renamed (null for a new one): its own name is not a duplicate.</param>
    public static async Task<Problem?> CheckAsync(SendCraftDbContext db, long? id, string? name, string? description, CancellationToken ct)
    {
        var n = name?.Trim() ?? "";
        if (n.Length == 0) return new(Field.Name, "Give the list a name.");
        if (n.Length > NameMaxLength) return new(Field.Name, $"The name is longer than {NameMaxLength} characters.");
        if ((description?.Trim().Length ?? 0) > DescriptionMaxLength) return new(Field.Description, $"The description is longer than {DescriptionMaxLength} characters.");
        if (await db.ContactLists.AnyAsync(l => l.Name == n && l.Id != id, ct)) return new(Field.Name, $"There is already a list named {n}.", IsDuplicate: true);
        return null;
    }
}
