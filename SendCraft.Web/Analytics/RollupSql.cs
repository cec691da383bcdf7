namespace SendCraft.Web.Analytics;

/// <summary>
/// The rollup's set-based statements, one per (source, bucket table, provider): a GROUP BY over an id range of the source
/// table added to the bucket rows with an upsert (MySQL ON DUPLICATE KEY UPDATE, SQLite ON CONFLICT DO UPDATE).
/// Parameters: {0} the last id already rolled up, {1} the last id to roll up now.
/// </summary>
public static class RollupSql
{
    public const string Columns = "Sent, Deferred, Failed, Bounced, SoftBounced, Complaints, Opens, UniqueOpens, MachineOpens, Clicks, UniqueClicks, MachineClicks, Unsubscribes, Replies";

    private static readonly string[] Counters = Columns.Split(", ");

    public enum Bucket { Hour, Day }

    public static string Table(Bucket bucket) => bucket == Bucket.Hour ? "MessageStatsHourly" : "MessageStatsDaily";

    /// <summary>The bucket start of a UTC datetime column, in the provider's datetime representation (SQLite: EF's text form).</summary>
    private static string Truncate(bool mySql, Bucket bucket, string column) => (mySql, bucket) switch
    {
        (true, Bucket.Hour) => $"CAST(DATE_FORMAT({column}, '%Y-%m-%d %H:00:00') AS DATETIME(6))",
        (true, Bucket.Day) => $"CAST(DATE({column}) AS DATETIME(6))",
        (false, Bucket.Hour) => $"strftime('%Y-%m-%d %H:00:00', {column})",
        _ => $"strftime('%Y-%m-%d 00:00:00', {column})",
    };

    private static string Upsert(bool mySql) => mySql
        ? "ON DUPLICATE KEY UPDATE " + string.Join(", ", Counters.Select(c => $"{c} = {c} + VALUES({c})"))
        : "ON CONFLICT (WorkspaceId, BucketStart, CampaignId, SmtpAccountId) DO UPDATE SET " + string.Join(", ", Counters.Select(c => $"{c} = {c} + excluded.{c}"));

    private static string Count(string condition) => $"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)";

    /// <summary>
    /// SMTP attempts: sent, deferred, failed, by the attempt's end. The campaign and account come from the message (its
    /// primary key); a campaign's test sends count as mail of no campaign, as the campaign pages do.
    /// </summary>
    public static string Attempts(bool mySql, Bucket bucket) => $"""
        INSERT INTO {Table(bucket)} (WorkspaceId, BucketStart, CampaignId, SmtpAccountId, {Columns})
        SELECT a.WorkspaceId, {Truncate(mySql, bucket, "a.FinishedAt")} AS Bucket,
               CASE WHEN m.IsTest = 1 THEN 0 ELSE COALESCE(m.CampaignId, 0) END AS Campaign, m.SmtpAccountId,
               {Count("a.Outcome = 'Sent'")}, {Count("a.Outcome = 'Deferred'")}, {Count("a.Outcome = 'Failed'")},
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        FROM MessageAttempts a JOIN OutboundMessages m ON m.Id = a.MessageId
        WHERE a.Id > {"{0}"} AND a.Id <= {"{1}"}
        GROUP BY a.WorkspaceId, Bucket, Campaign, m.SmtpAccountId
        {Upsert(mySql)}
        """;

    /// <summary>The lower-cased domain of m.Recipient, in SQL both providers run (SUBSTR and INSTR exist in both).</summary>
    private const string RecipientDomain = "LOWER(SUBSTR(m.Recipient, INSTR(m.Recipient, '@') + 1))";

    private static string DomainUpsert(bool mySql, params string[] counters) => mySql
        ? "ON DUPLICATE KEY UPDATE " + string.Join(", ", counters.Select(c => $"{c} = {c} + VALUES({c})"))
        : "ON CONFLICT (WorkspaceId, CampaignId, Domain) DO UPDATE SET " + string.Join(", ", counters.Select(c => $"{c} = {c} + excluded.{c}"));

    /// <summary>A campaign's accepted and failed attempts per recipient domain (CampaignDomainStats); test sends left out.</summary>
    public static string CampaignDomainAttempts(bool mySql) => $"""
        INSERT INTO CampaignDomainStats (WorkspaceId, CampaignId, Domain, Sent, Failed, Bounced)
        SELECT a.WorkspaceId, m.CampaignId, {RecipientDomain} AS RecipientDomain,
               {Count("a.Outcome = 'Sent'")}, {Count("a.Outcome = 'Failed'")}, 0
        FROM MessageAttempts a JOIN OutboundMessages m ON m.Id = a.MessageId
        WHERE a.Id > {"{0}"} AND a.Id <= {"{1}"} AND m.CampaignId IS NOT NULL AND m.IsTest = 0 AND a.Outcome IN ('Sent', 'Failed')
        GROUP BY a.WorkspaceId, m.CampaignId, RecipientDomain
        {DomainUpsert(mySql, "Sent", "Failed")}
        """;

    /// <summary>A campaign's bounces (reported after the fact) per recipient domain.</summary>
    public static string CampaignDomainBounces(bool mySql) => $"""
        INSERT INTO CampaignDomainStats (WorkspaceId, CampaignId, Domain, Sent, Failed, Bounced)
        SELECT e.WorkspaceId, m.CampaignId, {RecipientDomain} AS RecipientDomain, 0, 0, COUNT(*)
        FROM MessageEvents e JOIN OutboundMessages m ON m.Id = e.MessageId
        WHERE e.Id > {"{0}"} AND e.Id <= {"{1}"} AND e.Type = 'Bounce' AND m.CampaignId IS NOT NULL AND m.IsTest = 0
        GROUP BY e.WorkspaceId, m.CampaignId, RecipientDomain
        {DomainUpsert(mySql, "Bounced")}
        """;

    /// <summary>
    /// Events: bounces, complaints, opens, clicks, unsubscribes, replies, by when they happened. Human and machine opens and
    /// clicks apart; unique ones are the events the writer flagged as the first of their kind for their message.
    /// </summary>
    public static string Events(bool mySql, Bucket bucket) => $"""
        INSERT INTO {Table(bucket)} (WorkspaceId, BucketStart, CampaignId, SmtpAccountId, {Columns})
        SELECT e.WorkspaceId, {Truncate(mySql, bucket, "e.OccurredAt")} AS Bucket,
               CASE WHEN m.IsTest = 1 THEN 0 ELSE COALESCE(e.CampaignId, 0) END AS Campaign, COALESCE(m.SmtpAccountId, 0) AS Account,
               0, 0, 0,
               {Count("e.Type = 'Bounce'")}, {Count("e.Type = 'SoftBounce'")}, {Count("e.Type = 'Complaint'")},
               {Count("e.Type = 'Open' AND e.IsMachine = 0")}, {Count("e.Type = 'Open' AND e.IsMachine = 0 AND e.IsUnique = 1")}, {Count("e.Type = 'Open' AND e.IsMachine = 1")},
               {Count("e.Type = 'Click' AND e.IsMachine = 0")}, {Count("e.Type = 'Click' AND e.IsMachine = 0 AND e.IsUnique = 1")}, {Count("e.Type = 'Click' AND e.IsMachine = 1")},
               {Count("e.Type = 'Unsubscribe'")}, {Count("e.Type = 'Reply'")}
        FROM MessageEvents e LEFT JOIN OutboundMessages m ON m.Id = e.MessageId
        WHERE e.Id > {"{0}"} AND e.Id <= {"{1}"}
        GROUP BY e.WorkspaceId, Bucket, Campaign, Account
        {Upsert(mySql)}
        """;
}
