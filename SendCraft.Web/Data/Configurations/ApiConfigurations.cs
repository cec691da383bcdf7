using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SendCraft.Web.Data.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.ToTable("ApiKeys");
        b.Property(k => k.Name).HasMaxLength(100).IsRequired();
        b.Property(k => k.Prefix).HasMaxLength(24).IsRequired();
        b.Property(k => k.SecretHash).HasMaxLength(64).IsRequired();
        b.Property(k => k.Scopes).HasConversion<int>();
        b.Property(k => k.CreatedByUserId).HasMaxLength(450);
        // Every authenticated request looks its key up by hash, across workspaces.
        b.HasIndex(k => k.SecretHash).IsUnique();
        b.HasIndex(k => new { k.WorkspaceId, k.Id });
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("IdempotencyRecords");
        b.Property(r => r.Key).HasMaxLength(255).IsRequired();
        b.Property(r => r.RequestHash).HasMaxLength(64).IsRequired();
        b.Property(r => r.ResponseBody).IsRequired();
        b.HasIndex(r => new { r.ApiKeyId, r.Key }).IsUnique();
        // The 24-hour clean-up deletes by age.
        b.HasIndex(r => r.CreatedAt);
        b.HasOne<ApiKey>().WithMany().HasForeignKey(r => r.ApiKeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
