using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace SendCraft.Web.Realtime;

/// <summary>
/// Renders a Razor component to an HTML string outside a request (no Blazor circuit): the same markup a page renders
/// statically is what a push sends, so the live view and a reload never differ.
/// </summary>
/// <remarks>
/// The renderer lives in a scope of its own: it resolves scoped services (ComponentsActivitySource), which the root
/// provider refuses in Development (scope validation), and this class is a singleton.
/// </remarks>
public sealed class ComponentHtml : IAsyncDisposable
{
    private readonly AsyncServiceScope _scope;
    private readonly HtmlRenderer _renderer;

    public ComponentHtml(IServiceScopeFactory scopes, ILoggerFactory loggers)
    {
        _scope = scopes.CreateAsyncScope();
        _renderer = new HtmlRenderer(_scope.ServiceProvider, loggers);
    }

    public Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters) where TComponent : IComponent =>
        _renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await _renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });

    public async ValueTask DisposeAsync()
    {
        await _renderer.DisposeAsync();
        await _scope.DisposeAsync();
    }
}
