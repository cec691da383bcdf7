using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SendCraft.Web.Data.Configurations;

internal sealed class EmailTemplateConfiguration : IEntityTypeConfiguration<EmailTemplate>
{
    public void Configure(EntityTypeBuilder<EmailTemplate> b)
    {
        b.Property(t => t.Name).HasMaxLength(EmailTemplate.NameMaxLength).IsRequired();
        b.Property(t => t.Type).HasConversion<string>().HasMaxLength(16);
        b.Property(t => t.Subject).HasMaxLength(EmailTemplate.SubjectMaxLength).IsRequired();
        b.Property(t => t.HtmlBody).IsRequired();
        b.Property(t => t.TextBody).IsRequired();
        b.Property(t => t.SampleData).IsRequired();
        // Two people saving the same template: the second save is refused instead of silently overwriting.
        b.Property(t => t.Version).IsConcurrencyToken();
        // Campaigns and the API pick templates by name, so a name is unique within its workspace.
        b.HasIndex(t => new { t.WorkspaceId, t.Name }).IsUnique();
        b.HasOne(t => t.Workspace).WithMany().HasForeignKey(t => t.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
