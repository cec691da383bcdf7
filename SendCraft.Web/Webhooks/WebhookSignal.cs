using SendCraft.Web.Infrastructure;

namespace SendCraft.Web.Webhooks;

/// <summary>Wakes this instance's idle webhook worker when an event is queued, so a test event leaves at once.</summary>
public sealed class WebhookSignal : WakeSignal;
