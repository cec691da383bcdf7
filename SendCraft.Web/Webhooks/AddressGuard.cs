using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace SendCraft.Web.Webhooks;

/// <summary>
/// The SSRF guard of webhook URLs: only public unicast addresses are called, unless configuration allows more
/// (Webhooks:AllowPrivateAddresses, Webhooks:AllowedNetworks). Refused: loopback, RFC 1918 and fc00::/7 private,
/// link-local (169.254/16 with the cloud metadata service 169.254.169.254, fe80::/10), unspecified, multicast,
/// carrier-grade NAT (100.64/10) and reserved ranges, also when written as an IPv4-mapped or NAT64 IPv6 address.
/// Checked at save time (the URL's host resolved) and again when delivering: the HTTP handler connects only to the
/// address it checked, so a DNS answer that changed since saving (rebinding) cannot reach a refused address.
/// </summary>
public sealed class AddressGuard
{
    private static readonly (IPAddress Network, int Prefix, string What)[] Refused =
    [
        (IPAddress.Parse("0.0.0.0"), 8, "an unspecified address"),
        (IPAddress.Parse("10.0.0.0"), 8, "a private address"),
        (IPAddress.Parse("100.64.0.0"), 10, "a shared (carrier-grade NAT) address"),
        (IPAddress.Parse("127.0.0.0"), 8, "a loopback address"),
        (IPAddress.Parse("169.254.0.0"), 16, "a link-local address (such as the cloud metadata service)"),
        (IPAddress.Parse("172.16.0.0"), 12, "a private address"),
        (IPAddress.Parse("192.0.0.0"), 24, "a reserved address"),
        (IPAddress.Parse("192.168.0.0"), 16, "a private address"),
        (IPAddress.Parse("198.18.0.0"), 15, "a reserved address"),
        (IPAddress.Parse("224.0.0.0"), 4, "a multicast address"),
        (IPAddress.Parse("240.0.0.0"), 4, "a reserved address"),
        (IPAddress.Parse("::"), 128, "an unspecified address"),
        (IPAddress.Parse("::1"), 128, "a loopback address"),
        (IPAddress.Parse("fc00::"), 7, "a private address"),
        (IPAddress.Parse("fe80::"), 10, "a link-local address"),
        (IPAddress.Parse("fec0::"), 10, "a site-local address"),
        (IPAddress.Parse("ff00::"), 8, "a multicast address"),
    ];

    private static readonly IPAddress Nat64 = IPAddress.Parse("64:ff9b::");

    private readonly bool _allowPrivate;
    private readonly List<(IPAddress Network, int Prefix)> _allowed;

    public AddressGuard(IOptions<WebhookOptions> options)
    {
        _allowPrivate = options.Value.AllowPrivateAddresses;
        _allowed = options.Value.AllowedNetworks.Select(ParseNetwork).ToList();
    }

    /// <summary>Null when <paramref name="address"/> may be called; otherwise what kind of address it is, for the message.</summary>
    public string? Refusal(IPAddress address)
    {
        if (_allowPrivate) return null;
        var normal = Normalize(address);
        if (_allowed.Any(n => InNetwork(normal, n.Network, n.Prefix))) return null;
        foreach (var (network, prefix, what) in Refused)
            if (InNetwork(normal, network, prefix)) return what;
        return null;
    }

    /// <summary>
    /// Checks a URL an operator entered: absolute http(s), and every address its host resolves to is allowed. Returns the
    /// problem in words, or null. Resolution is bounded by <paramref name="timeout"/>.
    /// </summary>
    public async Task<string?> CheckUrlAsync(string url, TimeSpan timeout, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "Enter an absolute http:// or https:// URL, such as https://example.com/webhooks/sendcraft.";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "Put credentials in the URL's path or query, not before the host (user:password@).";
        if (!string.IsNullOrEmpty(uri.Fragment)) return "A URL with a #fragment cannot be called; remove the part from # on.";
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(uri.IdnHost, timeout, ct);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return $"{uri.Host} could not be resolved (DNS). Check the host name.";
        }
        if (addresses.Length == 0) return $"{uri.Host} could not be resolved (DNS). Check the host name.";
        foreach (var address in addresses)
        {
            if (Refusal(address) is { } what)
                return $"{uri.Host} resolves to {address}, {what}: webhooks are only sent to public addresses (see Webhooks:AllowedNetworks).";
        }
        return null;
    }

    public static async Task<IPAddress[]> ResolveAsync(string host, TimeSpan timeout, CancellationToken ct)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal)) return [literal];
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        return await Dns.GetHostAddressesAsync(host, limit.Token);
    }

    private static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && InNetwork(address, Nat64, 96))
            return new IPAddress(address.GetAddressBytes()[12..]); // NAT64 reaches the IPv4 address inside it
        return address;
    }

    private static bool InNetwork(IPAddress address, IPAddress network, int prefix)
    {
        if (address.AddressFamily != network.AddressFamily) return false;
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        for (var i = 0; i < a.Length && prefix > 0; i++, prefix -= 8)
        {
            var mask = prefix >= 8 ? 0xFF : (byte)(0xFF << (8 - prefix));
            if ((a[i] & mask) != (n[i] & mask)) return false;
        }
        return true;
    }

    private static (IPAddress, int) ParseNetwork(string cidr)
    {
        var parts = cidr.Trim().Split('/');
        if (!IPAddress.TryParse(parts[0], out var network))
            throw new OptionsValidationException(WebhookOptions.Section, typeof(WebhookOptions), [$"Webhooks:AllowedNetworks: '{cidr}' is not an address or network (e.g. 10.1.0.0/16)."]);
        var max = network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = parts.Length > 1 && int.TryParse(parts[1], out var p) ? p : max;
        if (prefix < 0 || prefix > max)
            throw new OptionsValidationException(WebhookOptions.Section, typeof(WebhookOptions), [$"Webhooks:AllowedNetworks: '{cidr}' has an invalid prefix length."]);
        return (Normalize(network), prefix);
    }
}

/// <summary>A webhook's host resolved only to refused addresses at delivery time.</summary>
public sealed class WebhookAddressRefusedException(string message) : Exception(message);
