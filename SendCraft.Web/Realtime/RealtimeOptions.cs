namespace SendCraft.Web.Realtime;

/// <summary>Settings of the real-time layer (section "Realtime").</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Realtime";

    /// <summary>
    /// A StackExchange.Redis connection string ("127.0.0.1:6379", "redis.internal:6379,password=…"). When set,
    /// SignalR messages go through Redis, so a browser connected to one instance sees what another instance
    /// publishes (several instances behind Nginx). Unset: one instance, in-memory, nothing else needed.
    /// </summary>
    public string? Redis { get; set; }
}
