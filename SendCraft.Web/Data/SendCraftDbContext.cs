using System.Linq.Expressions;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace SendCraft.Web.Data;

/// <summary>
/// The application's database. Provider-specific subclasses (SqliteSendCraftDbContext, MySqlSendCraftDbContext)
/// exist only so that each provider keeps its own migration set; all model code lives here.
/// </summary>
public abstract class SendCraftDbContext : IdentityUserContext<AppUser>, IDataProtectionKeyContext
{
    private readonly WorkspaceScope _scope;

    protected SendCraftDbContext(DbContextOptions options, WorkspaceScope scope) : base(options)
    {
        _scope = scope;
    }

    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<WorkspaceMember> WorkspaceMembers => Set<WorkspaceMember>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<SendingDomain> SendingDomains => Set<SendingDomain>();
    public DbSet<SmtpAccount> SmtpAccounts => Set<SmtpAccount>();
    public DbSet<MessageContent> MessageContents => Set<MessageContent>();
    public DbSet<OutboundMessage> OutboundMessages => Set<OutboundMessage>();
    public DbSet<MessageAttempt> MessageAttempts => Set<MessageAttempt>();
    public DbSet<Suppression> Suppressions => Set<Suppression>();
    public DbSet<AccountSendWindow> AccountSendWindows => Set<AccountSendWindow>();
    public DbSet<SmtpConnectionSlot> SmtpConnectionSlots => Set<SmtpConnectionSlot>();
    public DbSet<EmailTemplate> EmailTemplates => Set<EmailTemplate>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<ContactList> ContactLists => Set<ContactList>();
    public DbSet<ListMember> ListMembers => Set<ListMember>();
    public DbSet<ContactImport> ContactImports => Set<ContactImport>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignList> CampaignLists => Set<CampaignList>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<MessageEvent> MessageEvents => Set<MessageEvent>();
    public DbSet<InstallationSecret> InstallationSecrets => Set<InstallationSecret>();
    public DbSet<TrackedLinkSet> TrackedLinkSets => Set<TrackedLinkSet>();
    public DbSet<InboundMessage> InboundMessages => Set<InboundMessage>();
    public DbSet<InboundAttachment> InboundAttachments => Set<InboundAttachment>();
    public DbSet<UnroutedInboundMessage> UnroutedInboundMessages => Set<UnroutedInboundMessage>();
    public DbSet<MessageStatsHourly> MessageStatsHourly => Set<MessageStatsHourly>();
    public DbSet<MessageStatsDaily> MessageStatsDaily => Set<MessageStatsDaily>();
    public DbSet<CampaignDomainStats> CampaignDomainStats => Set<CampaignDomainStats>();
    public DbSet<RollupWatermark> RollupWatermarks => Set<RollupWatermark>();

    /// <summary>
    /// The workspace every tenant-owned query is limited to. Null (no workspace chosen) matches no row,
    /// so forgetting to resolve a workspace fails closed.
    /// </summary>
    public long? CurrentWorkspaceId => _scope.WorkspaceId;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(SendCraftDbContext).Assembly);
        builder.Entity<AppUser>().Property(u => u.DisplayName).HasMaxLength(100);
        Configurations.ContactCollations.Apply(builder, Database);

        // The one place where tenant scoping happens: every ITenantOwned entity gets
        // `WorkspaceId == CurrentWorkspaceId`. EF re-reads the property per query, so one model serves all tenants.
        foreach (var entity in builder.Model.GetEntityTypes().Where(t => typeof(ITenantOwned).IsAssignableFrom(t.ClrType)))
        {
            var row = Expression.Parameter(entity.ClrType, "row");
            var filter = Expression.Lambda(
                Expression.Equal(
                    Expression.Convert(Expression.Property(row, nameof(ITenantOwned.WorkspaceId)), typeof(long?)),
                    Expression.Property(Expression.Constant(this), nameof(CurrentWorkspaceId))),
                row);
            builder.Entity(entity.ClrType).HasQueryFilter(filter);
        }
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampWorkspace();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampWorkspace();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>New tenant rows take the current workspace; a write into another workspace is a bug, so it throws.</summary>
    private void StampWorkspace()
    {
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State == EntityState.Added && entry.Entity.WorkspaceId == 0)
            {
                entry.Entity.WorkspaceId = CurrentWorkspaceId
                    ?? throw new InvalidOperationException($"No current workspace to own the new {entry.Entity.GetType().Name}.");
            }
            else if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
                     && CurrentWorkspaceId is { } current && entry.Entity.WorkspaceId != current)
            {
                throw new InvalidOperationException($"Refused to write a {entry.Entity.GetType().Name} of workspace {entry.Entity.WorkspaceId} from workspace {current}.");
            }
        }
    }
}

public sealed class SqliteSendCraftDbContext(DbContextOptions<SqliteSendCraftDbContext> options, WorkspaceScope scope)
    : SendCraftDbContext(options, scope);

public sealed class MySqlSendCraftDbContext(DbContextOptions<MySqlSendCraftDbContext> options, WorkspaceScope scope)
    : SendCraftDbContext(options, scope);
