using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SendCraft.Web.Data.Configurations;

internal sealed class TrackedLinkSetConfiguration : IEntityTypeConfiguration<TrackedLinkSet>
{
    public void Configure(EntityTypeBuilder<TrackedLinkSet> b)
    {
        b.ToTable("TrackedLinkSets");
        b.Property(l => l.UrlsJson).IsRequired();
        // The redirect's cache miss reads (ContentId, 0) and (ContentId, message); unique so that two senders racing
        // to store a content's baseline end with one (the loser reads the winner's).
        b.HasIndex(l => new { l.ContentId, l.MessageId }).IsUnique();
        // No foreign keys: like MessageEvents, the link sets outlive the retention purge and never wait on a parent lock.
        b.HasOne<Workspace>().WithMany().HasForeignKey(l => l.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
