using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace SendCraft.Web.Infrastructure;

/// <summary>The setting <c>PublicBaseUrl</c>: where recipients reach this installation.</summary>
public sealed class PublicAddressOptions
{
    /// <summary>
    /// Scheme, host and optionally a path prefix, e.g. "https://mail.example.com" (behind Nginx: the public name). Every
    /// link in sent mail starts with it: tracking (/t/c, /t/o), one-click unsubscribe (/u) and preferences (/p). Unset:
    /// the first address this instance listens on, which only suits a developer's machine.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The names of the two settings it replaces, still read when it is unset, so older configurations keep working.</summary>
    internal static readonly string[] FormerKeys = ["Unsubscribe:PublicBaseUrl", "Tracking:PublicBaseUrl"];

    /// <summary>Null when valid, else why not (checked at start).</summary>
    internal string? Problem() =>
        string.IsNullOrWhiteSpace(PublicBaseUrl)
        || Uri.TryCreate(PublicBaseUrl.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && string.IsNullOrEmpty(uri.Query)
            ? null
            : $"PublicBaseUrl must be an absolute http(s) URL without a query, such as https://mail.example.com; it is '{PublicBaseUrl}'.";
}

/// <summary>The one place the installation's public address is decided, for every link that goes out in mail.</summary>
public sealed class PublicAddress(IOptions<PublicAddressOptions> options, IServer server)
{
    private readonly string? _configured = string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl) ? null : options.Value.PublicBaseUrl.Trim().TrimEnd('/');

    /// <summary>Without a trailing slash.</summary>
    public string BaseUrl => _configured ?? ListeningAddress();

    /// <summary>
    /// Where this instance listens (wildcards as localhost), asked each time: the workers start before Kestrel binds,
    /// and a port 0 becomes a real one only then.
    /// </summary>
    private string ListeningAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null) return "http://localhost";
        foreach (var wildcard in new[] { "://0.0.0.0", "://[::]", "://+", "://*" })
            address = address.Replace(wildcard, "://localhost", StringComparison.Ordinal);
        return address.TrimEnd('/');
    }
}

public static class PublicAddressSetup
{
    public static IServiceCollection AddPublicAddress(this IServiceCollection services)
    {
        services.AddOptions<PublicAddressOptions>()
            .Configure<IConfiguration>((o, configuration) => o.PublicBaseUrl =
                configuration["PublicBaseUrl"] ?? PublicAddressOptions.FormerKeys.Select(k => configuration[k]).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)))
            .Validate(o => o.Problem() is null, "PublicBaseUrl must be an absolute http(s) URL without a query, such as https://mail.example.com.")
            .ValidateOnStart();
        services.AddSingleton<PublicAddress>();
        return services;
    }
}
