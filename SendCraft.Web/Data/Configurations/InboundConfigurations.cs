using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SendCraft.Web.Data.Configurations;

internal sealed class InboundMessageConfiguration : IEntityTypeConfiguration<InboundMessage>
{
    public void Configure(EntityTypeBuilder<InboundMessage> b)
    {
        b.ToTable("InboundMessages");
        b.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(m => m.Reason).HasMaxLength(InboundMessage.ReasonMaxLength);
        b.Property(m => m.MailFrom).HasMaxLength(InboundMessage.AddressMaxLength);
        b.Property(m => m.RcptTo).HasMaxLength(InboundMessage.AddressMaxLength);
        b.Property(m => m.FromAddress).HasMaxLength(InboundMessage.AddressMaxLength);
        b.Property(m => m.FromName).HasMaxLength(InboundMessage.NameMaxLength);
        b.Property(m => m.Subject).HasMaxLength(InboundMessage.SubjectMaxLength);
        b.Property(m => m.MessageIdHeader).HasMaxLength(InboundMessage.AddressMaxLength);
        b.Property(m => m.InReplyTo).HasMaxLength(InboundMessage.AddressMaxLength);
        b.Property(m => m.ReportedRecipient).HasMaxLength(InboundMessage.AddressMaxLength);
        b.Property(m => m.ReportStatus).HasMaxLength(InboundMessage.StatusMaxLength);
        b.HasMany(m => m.Attachments).WithOne().HasForeignKey(a => a.InboundMessageId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Workspace>().WithMany().HasForeignKey(m => m.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        // The inbox, newest first: everything, one kind (replies by default), or the unread ones; keyset on Id.
        b.HasIndex(m => new { m.WorkspaceId, m.Id });
        b.HasIndex(m => new { m.WorkspaceId, m.Kind, m.Id });
        b.HasIndex(m => new { m.WorkspaceId, m.IsRead, m.Id });
        // What came back about one message (no foreign key, like MessageEvents: message rows may be purged).
        b.HasIndex(m => m.OutboundMessageId);
    }
}

internal sealed class InboundAttachmentConfiguration : IEntityTypeConfiguration<InboundAttachment>
{
    public void Configure(EntityTypeBuilder<InboundAttachment> b)
    {
        b.ToTable("InboundAttachments");
        b.Property(a => a.FileName).HasMaxLength(255).IsRequired();
        b.Property(a => a.ContentType).HasMaxLength(127).IsRequired();
    }
}

internal sealed class UnroutedInboundMessageConfiguration : IEntityTypeConfiguration<UnroutedInboundMessage>
{
    public void Configure(EntityTypeBuilder<UnroutedInboundMessage> b)
    {
        b.ToTable("UnroutedInboundMessages");
        b.Property(m => m.MailFrom).HasMaxLength(InboundMessage.AddressMaxLength);
        b.Property(m => m.RcptTo).HasMaxLength(InboundMessage.AddressMaxLength);
        b.Property(m => m.FromAddress).HasMaxLength(InboundMessage.AddressMaxLength);
        b.Property(m => m.Subject).HasMaxLength(InboundMessage.SubjectMaxLength);
        b.Property(m => m.Reason).HasMaxLength(InboundMessage.ReasonMaxLength);
        b.HasIndex(m => m.ReceivedAt);
    }
}
