namespace SendCraft.Web.Sending;

/// <summary>Exponential backoff with jitter for deferred messages: base·2^(n−1), capped, ±20 % so retries of a batch spread out.</summary>
public static class RetryPolicy
{
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var raw = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, exponent), maxDelay.TotalMilliseconds);
        var jitter = 0.8 + 0.4 * random;
        return TimeSpan.FromMilliseconds(raw * jitter);
    }
}
