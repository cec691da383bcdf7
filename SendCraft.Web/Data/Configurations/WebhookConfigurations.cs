using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SendCraft.Web.Data.Configurations;

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> b)
    {
        b.ToTable("WebhookEndpoints");
        b.Property(e => e.Url).HasMaxLength(2000).IsRequired();
        b.Property(e => e.Description).HasMaxLength(200);
        b.Property(e => e.EventTypes).HasMaxLength(1000).IsRequired();
        b.Property(e => e.SecretProtected).HasMaxLength(2000).IsRequired();
        b.Property(e => e.DisabledReason).HasMaxLength(1000);
        b.HasIndex(e => new { e.WorkspaceId, e.Id });
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("WebhookDeliveries");
        b.Property(d => d.EventId).HasMaxLength(40).IsRequired();
        b.Property(d => d.EventType).HasMaxLength(64).IsRequired();
        b.Property(d => d.Payload).IsRequired();
        // Stored by name: the enqueue and claim statements are plain SQL that both providers accept.
        b.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(d => d.LeaseOwner).HasMaxLength(100);
        b.Property(d => d.ResponseBody).HasMaxLength(1000);
        b.Property(d => d.Error).HasMaxLength(1000);
        b.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        // The worker's claim: due rows in a claimable status, oldest first (as the outbox's).
        b.HasIndex(d => new { d.Status, d.DueAt });
        // The delivery log of an endpoint, newest first, keyset-paged by Id.
        b.HasIndex(d => new { d.WorkspaceId, d.EndpointId, d.Id });
    }
}
