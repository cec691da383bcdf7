using System.Linq.Expressions;
using SendCraft.Web.Data;

namespace SendCraft.Web.Unsubscribe;

/// <summary>
/// Which suppressions stop which mail. Hard bounces, complaints and an operator's own entries stop every message of the
/// workspace to the address. An unsubscribe stops campaign mail only: the recipient left the mailing, not the business,
/// so their receipts and password resets (the transactional API, compose, SMTP submission) still go, as CAN-SPAM and
/// the mailbox providers' bulk-sender rules expect.
/// </summary>
public static class SuppressionScope
{
    /// <summary>For queries of non-campaign mail: the suppressions that stop it.</summary>
    public static readonly Expression<Func<Suppression, bool>> StopsTransactional = s => s.Reason != SuppressionReason.Unsubscribed;

    public static bool Stops(SuppressionReason reason, OutboundMessage message) =>
        reason != SuppressionReason.Unsubscribed || message is { CampaignId: not null, IsTest: false };
}
