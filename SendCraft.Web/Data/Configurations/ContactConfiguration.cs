using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SendCraft.Web.Data.Configurations;

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public const int EmailMaxLength = 254; // RFC 5321's limit on a forward path, less the angle brackets
    public const int NameMaxLength = 200;

    public void Configure(EntityTypeBuilder<Contact> b)
    {
        b.ToTable("Contacts");
        b.Property(c => c.Email).HasMaxLength(EmailMaxLength).IsRequired();
        b.Property(c => c.Name).HasMaxLength(NameMaxLength).IsRequired();
        b.Property(c => c.AttributesJson).IsRequired();
        b.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        // One contact per address per workspace; also serves the email prefix search and the import's lookups.
        b.HasIndex(c => new { c.WorkspaceId, c.Email }).IsUnique();
        // The name prefix search.
        b.HasIndex(c => new { c.WorkspaceId, c.Name });
        // The contacts page: newest first, keyset paging on Id within the workspace.
        b.HasIndex(c => new { c.WorkspaceId, c.Id });
        b.HasOne<Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ContactListConfiguration : IEntityTypeConfiguration<ContactList>
{
    public void Configure(EntityTypeBuilder<ContactList> b)
    {
        b.ToTable("ContactLists");
        b.Property(l => l.Name).HasMaxLength(100).IsRequired();
        b.Property(l => l.Description).HasMaxLength(500).IsRequired();
        b.HasIndex(l => new { l.WorkspaceId, l.Name }).IsUnique();
        b.HasOne<Workspace>().WithMany().HasForeignKey(l => l.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ListMemberConfiguration : IEntityTypeConfiguration<ListMember>
{
    public void Configure(EntityTypeBuilder<ListMember> b)
    {
        b.ToTable("ListMembers");
        // The key orders a list's members by contact id: the list page pages on it.
        b.HasKey(m => new { m.ListId, m.ContactId });
        b.HasIndex(m => m.ContactId);
        b.HasOne(m => m.List).WithMany().HasForeignKey(m => m.ListId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(m => m.Contact).WithMany().HasForeignKey(m => m.ContactId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ContactImportConfiguration : IEntityTypeConfiguration<ContactImport>
{
    public void Configure(EntityTypeBuilder<ContactImport> b)
    {
        b.ToTable("ContactImports");
        b.Property(i => i.FileName).HasMaxLength(255).IsRequired();
        b.Property(i => i.FilePath).HasMaxLength(1000).IsRequired();
        b.Property(i => i.ErrorFilePath).HasMaxLength(1000);
        b.Property(i => i.FailureReason).HasMaxLength(1000);
        b.Property(i => i.CreatedByUserId).HasMaxLength(450);
        b.Property(i => i.MappingJson).IsRequired();
        b.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(i => i.ExistingPolicy).HasConversion<string>().HasMaxLength(16);
        b.Property(i => i.Separator).HasConversion<string>().HasMaxLength(1);
        // ImportMonitor looks for queued and running imports across workspaces.
        b.HasIndex(i => new { i.Status, i.CreatedAt });
        b.HasIndex(i => new { i.WorkspaceId, i.CreatedAt });
        b.HasOne(i => i.List).WithMany().HasForeignKey(i => i.ListId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// The two collations the contact searches depend on, which differ by provider:
/// emails compare byte for byte (they are stored normalized; MariaDB's default utf8mb4_unicode_ci would make
/// josé@ and jose@ the same address for the unique index), names compare without ASCII case on both
/// (SQLite's NOCASE; MariaDB's default collation already ignores case), so "ali" finds "Alice" through the index.
/// </summary>
internal static class ContactCollations
{
    public static void Apply(ModelBuilder builder, Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade database)
    {
        if (database.IsSqlite())
        {
            builder.Entity<Contact>().Property(c => c.Name).UseCollation("NOCASE");
        }
        else if (database.IsMySql())
        {
            builder.Entity<Contact>().Property(c => c.Email).UseCollation("utf8mb4_bin");
        }
    }
}
