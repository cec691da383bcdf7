using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace SendCraft.Web.Realtime;

/// <summary>
/// Renders a Razor component to an HTML string outside a request (no Blazor circuit): the same markup a page renders
/// statically is what a push sends, so the live view and a reload never differ.
/// </summary>
public sealed class ComponentHtml(IServiceProvider services, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly HtmlRenderer _renderer = new(services, loggers);

    public Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters) where TComponent : IComponent =>
        _renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await _renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });

    public ValueTask DisposeAsync() => _renderer.DisposeAsync();
}
