using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SendCraft.Web.Data.Configurations;

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.Property(n => n.UserId).HasMaxLength(450).IsRequired();
        b.Property(n => n.Kind).HasMaxLength(Notification.KindMaxLength).IsRequired();
        b.Property(n => n.Title).HasMaxLength(Notification.TitleMaxLength).IsRequired();
        b.Property(n => n.Body).HasMaxLength(Notification.BodyMaxLength);
        b.Property(n => n.Link).HasMaxLength(Notification.LinkMaxLength);
        // The bell's unread count on every page: (workspace, user, unread) is an index range, not a scan.
        b.HasIndex(n => new { n.WorkspaceId, n.UserId, n.ReadAt });
        // The list and the bell's latest items: newest first by id, keyset paging on the same index.
        b.HasIndex(n => new { n.WorkspaceId, n.UserId, n.Id });
        b.HasOne<Workspace>().WithMany().HasForeignKey(n => n.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AppUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
