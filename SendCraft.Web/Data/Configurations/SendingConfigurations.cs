using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SendCraft.Web.Data.Configurations;

internal sealed class SendingDomainConfiguration : IEntityTypeConfiguration<SendingDomain>
{
    public void Configure(EntityTypeBuilder<SendingDomain> b)
    {
        b.Property(d => d.Name).HasMaxLength(253).IsRequired();
        b.Property(d => d.DkimSelector).HasMaxLength(63).IsRequired();
        b.Property(d => d.DkimPublicKey).HasMaxLength(1024);
        b.Property(d => d.DnsCheckResult).HasMaxLength(2000);
        b.HasIndex(d => new { d.WorkspaceId, d.Name }).IsUnique();
    }
}

internal sealed class SmtpAccountConfiguration : IEntityTypeConfiguration<SmtpAccount>
{
    public void Configure(EntityTypeBuilder<SmtpAccount> b)
    {
        b.Property(a => a.FromEmail).HasMaxLength(254).IsRequired();
        b.Property(a => a.FromName).HasMaxLength(100);
        b.Property(a => a.Host).HasMaxLength(253).IsRequired();
        b.Property(a => a.Username).HasMaxLength(254);
        b.Property(a => a.Security).HasConversion<string>().HasMaxLength(16);
        b.HasOne(a => a.Domain).WithMany().HasForeignKey(a => a.DomainId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(a => new { a.WorkspaceId, a.FromEmail });
    }
}

internal sealed class MessageContentConfiguration : IEntityTypeConfiguration<MessageContent>
{
    public void Configure(EntityTypeBuilder<MessageContent> b)
    {
        b.Property(c => c.FromAddress).HasMaxLength(254).IsRequired();
        b.Property(c => c.FromName).HasMaxLength(100);
        b.Property(c => c.Subject).HasMaxLength(998);
        b.Property(c => c.SubmissionKey).HasMaxLength(64);
        b.Property(c => c.ReplyTo).HasMaxLength(1000);
        b.Property(c => c.Tags).HasMaxLength(1000);
        b.HasIndex(c => new { c.WorkspaceId, c.SubmissionKey }).IsUnique();
        // The retention job's search: contents not purged yet, oldest first (purged ones drop out of the range).
        b.HasIndex(c => new { c.BodyPurgedAt, c.CreatedAt });
        b.HasMany(c => c.Attachments).WithOne().HasForeignKey(a => a.ContentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MessageAttachmentConfiguration : IEntityTypeConfiguration<MessageAttachment>
{
    public void Configure(EntityTypeBuilder<MessageAttachment> b)
    {
        b.Property(a => a.FileName).HasMaxLength(255).IsRequired();
        b.Property(a => a.ContentType).HasMaxLength(127).IsRequired();
    }
}

internal sealed class OutboundMessageConfiguration : IEntityTypeConfiguration<OutboundMessage>
{
    public void Configure(EntityTypeBuilder<OutboundMessage> b)
    {
        b.ToTable("OutboundMessages");
        b.Property(m => m.Recipient).HasMaxLength(254).IsRequired();
        b.Property(m => m.MessageId).HasMaxLength(254).IsRequired();
        b.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(m => m.LeaseOwner).HasMaxLength(100);
        b.Property(m => m.LastSmtpResponse).HasMaxLength(1000);
        b.HasOne(m => m.SmtpAccount).WithMany().HasForeignKey(m => m.SmtpAccountId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(m => m.Content).WithMany().HasForeignKey(m => m.ContentId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(m => m.AttemptLog).WithOne().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Campaign>().WithMany().HasForeignKey(m => m.CampaignId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne(m => m.Contact).WithMany().HasForeignKey(m => m.ContactId).OnDelete(DeleteBehavior.SetNull);
        // One message per contact per campaign: expansion can repeat a chunk (after a crash) without mailing anyone twice.
        b.HasIndex(m => new { m.CampaignId, m.ContactId }).IsUnique();
        // Campaign progress and pause/resume/cancel work on a campaign's rows by status.
        b.HasIndex(m => new { m.CampaignId, m.Status, m.IsTest });
        // The workers' claim: due rows in a claimable status, oldest first.
        b.HasIndex(m => new { m.Status, m.DueAt });
        // The log: newest first within a workspace, optionally by status or recipient.
        b.HasIndex(m => new { m.WorkspaceId, m.Id });
        b.HasIndex(m => new { m.WorkspaceId, m.Status, m.Id });
        b.HasIndex(m => new { m.WorkspaceId, m.Recipient, m.Id });
        // Inbound mail finds the message it answers or reports on by its Message-ID (In-Reply-To, a DSN's attached original).
        b.HasIndex(m => m.MessageId);
        // Daily limits count what an account sent since midnight.
        b.HasIndex(m => new { m.SmtpAccountId, m.SentAt });
    }
}

internal sealed class MessageAttemptConfiguration : IEntityTypeConfiguration<MessageAttempt>
{
    public void Configure(EntityTypeBuilder<MessageAttempt> b)
    {
        b.Property(a => a.Outcome).HasConversion<string>().HasMaxLength(16);
        b.Property(a => a.Response).HasMaxLength(1000);
    }
}

internal sealed class SuppressionConfiguration : IEntityTypeConfiguration<Suppression>
{
    public void Configure(EntityTypeBuilder<Suppression> b)
    {
        b.Property(s => s.Email).HasMaxLength(254).IsRequired();
        b.Property(s => s.Reason).HasConversion<string>().HasMaxLength(16);
        b.Property(s => s.Detail).HasMaxLength(1000);
        b.HasIndex(s => new { s.WorkspaceId, s.Email }).IsUnique();
    }
}

internal sealed class AccountSendWindowConfiguration : IEntityTypeConfiguration<AccountSendWindow>
{
    public void Configure(EntityTypeBuilder<AccountSendWindow> b)
    {
        b.ToTable("AccountSendWindows");
        b.HasKey(w => new { w.AccountId, w.Period, w.WindowStart });
        b.Property(w => w.Period).HasConversion<int>();
    }
}

internal sealed class SmtpConnectionSlotConfiguration : IEntityTypeConfiguration<SmtpConnectionSlot>
{
    public void Configure(EntityTypeBuilder<SmtpConnectionSlot> b)
    {
        b.ToTable("SmtpConnectionSlots");
        b.HasKey(s => new { s.AccountId, s.Slot });
        b.Property(s => s.Owner).HasMaxLength(100);
        b.HasIndex(s => s.Owner);
    }
}
