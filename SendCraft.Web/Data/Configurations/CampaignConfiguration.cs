using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SendCraft.Web.Data.Configurations;

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public const int NameMaxLength = 200;

    public void Configure(EntityTypeBuilder<Campaign> b)
    {
        b.ToTable("Campaigns");
        b.Property(c => c.Name).HasMaxLength(NameMaxLength).IsRequired();
        b.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.StatusReason).HasMaxLength(1000);
        b.Property(c => c.Subject).HasMaxLength(EmailTemplate.SubjectMaxLength).IsRequired();
        b.Property(c => c.HtmlBody).IsRequired();
        b.Property(c => c.TextBody).IsRequired();
        b.Property(c => c.TimeZoneId).HasMaxLength(64);
        b.HasOne(c => c.SmtpAccount).WithMany().HasForeignKey(c => c.SmtpAccountId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<EmailTemplate>().WithMany().HasForeignKey(c => c.TemplateId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<MessageContent>().WithMany().HasForeignKey(c => c.ContentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(c => c.Lists).WithOne().HasForeignKey(l => l.CampaignId).OnDelete(DeleteBehavior.Cascade);
        // The campaigns page: newest first per workspace; the monitor: campaigns by status.
        b.HasIndex(c => new { c.WorkspaceId, c.Id });
        b.HasIndex(c => c.Status);
    }
}

internal sealed class CampaignListConfiguration : IEntityTypeConfiguration<CampaignList>
{
    public void Configure(EntityTypeBuilder<CampaignList> b)
    {
        b.ToTable("CampaignLists");
        b.HasKey(l => new { l.CampaignId, l.ListId });
        b.HasOne(l => l.List).WithMany().HasForeignKey(l => l.ListId).OnDelete(DeleteBehavior.Cascade);
    }
}
