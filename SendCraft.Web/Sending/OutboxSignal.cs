using SendCraft.Web.Infrastructure;

namespace SendCraft.Web.Sending;

/// <summary>Wakes idle workers when mail is queued, so a composed message leaves at once rather than at the next poll.</summary>
public sealed class OutboxSignal : WakeSignal;
