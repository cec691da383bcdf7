using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SendCraft.Web.Data.Configurations;

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> b)
    {
        b.Property(i => i.Email).HasMaxLength(256).IsRequired();
        b.Property(i => i.Role).HasConversion<string>().HasMaxLength(16);
        b.Property(i => i.TokenHash).HasMaxLength(64).IsRequired();
        b.Property(i => i.InvitedByUserId).HasMaxLength(450);
        b.HasIndex(i => i.TokenHash).IsUnique();
        b.HasIndex(i => new { i.WorkspaceId, i.CreatedAt });
        b.HasOne(i => i.Workspace).WithMany().HasForeignKey(i => i.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
