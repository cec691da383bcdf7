using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SendCraft.Web.Sending;

/// <summary>
/// The worker's stage timings and message counts as .NET metrics (meter "SendCraft.Sending"): watch them live with
/// `dotnet-counters monitor -n SendCraft.Web --counters SendCraft.Sending`; `bench/run sending` reads them to say
/// where a run's time went.
/// </summary>
public static class OutboxMetrics
{
    public const string MeterName = "SendCraft.Sending";
    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<double> ClaimDuration = Meter.CreateHistogram<double>("sendcraft.outbox.claim.duration", "ms", "Claiming one batch: lease, rows and content loaded, suppressions and accounts checked.");
    public static readonly Histogram<double> SendDuration = Meter.CreateHistogram<double>("sendcraft.outbox.send.duration", "ms", "Transmitting one batch over the accounts' connections (MIME, DKIM, SMTP).");
    public static readonly Histogram<double> RecordDuration = Meter.CreateHistogram<double>("sendcraft.outbox.record.duration", "ms", "Recording one batch's outcomes and attempts.");
    public static readonly Counter<long> Messages = Meter.CreateCounter<long>("sendcraft.outbox.messages", "{message}", "Delivery attempts recorded, tagged by outcome.");

    public static double Since(long timestamp) => Stopwatch.GetElapsedTime(timestamp).TotalMilliseconds;
}
