using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Tracking;

/// <summary>One request to a tracking URL, as the endpoint saw it.</summary>
public readonly record struct TrackingHit(long MessageId, MessageEventType Type, int? LinkIndex, DateTime At, string? UserAgent);

/// <summary>
/// The bounded buffer between the tracking endpoints and <see cref="TrackingEventWriter"/>: the endpoints never wait on
/// the database. When it is full a hit is dropped and counted (<see cref="Dropped"/>), the visitor still gets the
/// redirect or the pixel. What is in it when the process dies is lost: at most <see cref="TrackingOptions.ChannelCapacity"/>
/// hits, in practice the last second or two of hits (the writer drains it continuously).
/// </summary>
public sealed class TrackingHits
{
    private readonly Channel<TrackingHit> _channel;
    private long _dropped, _accepted;

    public TrackingHits(IOptions<TrackingOptions> options)
    {
        _channel = Channel.CreateBounded<TrackingHit>(new BoundedChannelOptions(options.Value.ChannelCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: refuses when full, so the drop is counted here
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public ChannelReader<TrackingHit> Reader => _channel.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);
    public long Accepted => Interlocked.Read(ref _accepted);

    public void Add(TrackingHit hit)
    {
        if (_channel.Writer.TryWrite(hit)) Interlocked.Increment(ref _accepted);
        else Interlocked.Increment(ref _dropped);
    }

    internal void CountDropped(int count) => Interlocked.Add(ref _dropped, count);

    private long _written, _batches;
    /// <summary>Events the writer has stored, and in how many insert batches (for tests, logs and the benchmark).</summary>
    public long Written => Interlocked.Read(ref _written);
    public long Batches => Interlocked.Read(ref _batches);

    internal void CountWritten(int count)
    {
        Interlocked.Add(ref _written, count);
        Interlocked.Increment(ref _batches);
    }
}
