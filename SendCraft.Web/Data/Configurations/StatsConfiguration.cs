using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SendCraft.Web.Data.Configurations;

internal sealed class MessageStatsHourlyConfiguration : IEntityTypeConfiguration<MessageStatsHourly>
{
    public void Configure(EntityTypeBuilder<MessageStatsHourly> b)
    {
        b.ToTable("MessageStatsHourly");
        // The key is what the rollup's upsert conflicts on, and its prefix (workspace, time) is every dashboard range.
        b.HasKey(s => new { s.WorkspaceId, s.BucketStart, s.CampaignId, s.SmtpAccountId });
        // A campaign's report over time.
        b.HasIndex(s => new { s.WorkspaceId, s.CampaignId, s.BucketStart });
        b.HasOne<Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MessageStatsDailyConfiguration : IEntityTypeConfiguration<MessageStatsDaily>
{
    public void Configure(EntityTypeBuilder<MessageStatsDaily> b)
    {
        b.ToTable("MessageStatsDaily");
        b.HasKey(s => new { s.WorkspaceId, s.BucketStart, s.CampaignId, s.SmtpAccountId });
        b.HasIndex(s => new { s.WorkspaceId, s.CampaignId, s.BucketStart });
        b.HasOne<Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CampaignDomainStatsConfiguration : IEntityTypeConfiguration<CampaignDomainStats>
{
    public void Configure(EntityTypeBuilder<CampaignDomainStats> b)
    {
        b.ToTable("CampaignDomainStats");
        // What the rollup's upsert conflicts on; its prefix (workspace, campaign) is the report's read.
        b.HasKey(s => new { s.WorkspaceId, s.CampaignId, s.Domain });
        b.Property(s => s.Domain).HasMaxLength(CampaignDomainStats.DomainMaxLength);
        b.HasOne<Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RollupWatermarkConfiguration : IEntityTypeConfiguration<RollupWatermark>
{
    public void Configure(EntityTypeBuilder<RollupWatermark> b)
    {
        b.ToTable("RollupWatermarks");
        b.HasKey(w => w.Source);
        b.Property(w => w.Source).HasMaxLength(32);
    }
}
