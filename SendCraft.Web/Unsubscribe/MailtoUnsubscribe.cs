using SendCraft.Web.Inbound;

namespace SendCraft.Web.Unsubscribe;

/// <summary>
/// Mail to unsubscribe+&lt;token&gt;@ (the mailto of List-Unsubscribe), received by the inbound listener: the same
/// unsubscribe as the one-click POST. A singleton like the listener; the service it calls is scoped.
/// </summary>
internal sealed class MailtoUnsubscribe(IServiceScopeFactory scopes) : IInboundUnsubscribe
{
    public async Task<bool> UnsubscribeAsync(string token, string source, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<UnsubscribeService>().UnsubscribeAsync(token, UnsubscribeSource.Mailto, ct);
        return result is not null;
    }
}
