using DnsClient;
using DnsClient.Protocol;
using SendCraft.Web.Data;

namespace SendCraft.Web.Sending;

/// <summary>TXT lookups, behind an interface so the record checks can run against a test DNS server or none.</summary>
public interface IDnsTxtLookup
{
    /// <summary>The TXT records at <paramref name="name"/>, each with its character-strings joined; empty when the name does not exist.</summary>
    Task<IReadOnlyList<string>> LookupTxtAsync(string name, CancellationToken ct);
}

/// <summary>Thrown when a lookup could not be answered (resolver unreachable, SERVFAIL), which is not the same as "missing".</summary>
public sealed class DnsLookupFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>DnsClient with the system's resolvers (/etc/resolv.conf), no cache, so a record just published shows up at once.</summary>
public sealed class DnsClientTxtLookup : IDnsTxtLookup
{
    private readonly LookupClient _client;

    public DnsClientTxtLookup(TimeSpan timeout) : this(new LookupClientOptions(), timeout) { }

    /// <summary>For tests: ask one name server, e.g. an in-test server on 127.0.0.1.</summary>
    public DnsClientTxtLookup(System.Net.IPEndPoint server) : this(new LookupClientOptions(new NameServer(server)), TimeSpan.FromSeconds(3)) { }

    private DnsClientTxtLookup(LookupClientOptions options, TimeSpan timeout)
    {
        options.UseCache = false;
        options.Timeout = timeout;
        options.Retries = 1;
        options.ThrowDnsErrors = false;
        options.ContinueOnDnsError = false;
        _client = new LookupClient(options);
    }

    public async Task<IReadOnlyList<string>> LookupTxtAsync(string name, CancellationToken ct)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, QueryType.TXT, QueryClass.IN, ct);
        }
        catch (DnsResponseException e)
        {
            throw new DnsLookupFailedException($"The DNS lookup of {name} failed: {e.Message}", e);
        }
        if (response.Header.ResponseCode is DnsHeaderResponseCode.NotExistentDomain) return [];
        if (response.HasError) throw new DnsLookupFailedException($"The DNS lookup of {name} failed: {response.ErrorMessage}");
        // A long TXT record (a 2048-bit DKIM key) arrives as several strings that form one value (RFC 7208 3.3, RFC 6376 3.6.2.2).
        return response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).ToList();
    }
}

public enum DkimDnsStatus { Missing, Matching, DifferentKey }
public enum SpfDnsStatus { Missing, Present, Multiple }
public enum DmarcDnsStatus { Missing, Present, Multiple }

/// <summary>The records a domain should publish, as shown on its page.</summary>
public sealed record DomainDnsRecords(string DkimName, string DkimValue, string SpfName, string SpfValue, string DmarcName, string DmarcValue)
{
    /// <param name="relayHosts">The SMTP hosts of the workspace's accounts for this domain; SPF must allow them.</param>
    public static DomainDnsRecords For(SendingDomain domain, IEnumerable<string> relayHosts)
    {
        var hosts = relayHosts.Select(h => h.Trim().ToLowerInvariant()).Where(h => h.Length > 0).Distinct().Order().ToList();
        var mechanisms = hosts.Count == 0 ? "include:<your SMTP provider's SPF domain>" : string.Join(' ', hosts.Select(h => "a:" + h));
        return new DomainDnsRecords(
            $"{domain.DkimSelector}._domainkey.{domain.Name}", DkimKeys.DnsRecordValue(domain.DkimPublicKey),
            domain.Name, $"v=spf1 {mechanisms} ~all",
            $"_dmarc.{domain.Name}", $"v=DMARC1; p=none; rua=mailto:dmarc@{domain.Name}");
    }
}

/// <summary>The pure part of "Check DNS": what the TXT strings found mean. Kept free of I/O so it is unit-tested over strings.</summary>
public static class DnsRecordEvaluator
{
    /// <summary>Compares the p= tag of the DKIM record(s) with our public key, ignoring the whitespace DNS consoles like to add.</summary>
    public static DkimDnsStatus EvaluateDkim(IEnumerable<string> txtRecords, string expectedPublicKey)
    {
        var keys = txtRecords.Select(r => Tag(r, "p")).Where(p => p is not null).ToList();
        if (keys.Count == 0) return DkimDnsStatus.Missing;
        var expected = StripWhitespace(expectedPublicKey);
        return keys.Any(k => StripWhitespace(k!) == expected) ? DkimDnsStatus.Matching : DkimDnsStatus.DifferentKey;
    }

    /// <summary>RFC 7208 4.5: more than one v=spf1 record is a permanent error for receivers, so it is called out.</summary>
    public static SpfDnsStatus EvaluateSpf(IEnumerable<string> txtRecords)
    {
        var count = txtRecords.Count(r => StartsWithVersion(r, "v=spf1"));
        return count switch { 0 => SpfDnsStatus.Missing, 1 => SpfDnsStatus.Present, _ => SpfDnsStatus.Multiple };
    }

    public static DmarcDnsStatus EvaluateDmarc(IEnumerable<string> txtRecords)
    {
        var count = txtRecords.Count(r => StartsWithVersion(r, "v=DMARC1"));
        return count switch { 0 => DmarcDnsStatus.Missing, 1 => DmarcDnsStatus.Present, _ => DmarcDnsStatus.Multiple };
    }

    public static string DescribeDkim(DkimDnsStatus status, string name) => status switch
    {
        DkimDnsStatus.Matching => $"DKIM: the record at {name} is present and matches this domain's key.",
        DkimDnsStatus.DifferentKey => $"DKIM: a record at {name} is present but has a different key. Replace it with the value shown above.",
        _ => $"DKIM: no DKIM record found at {name}. Publish the TXT record shown above.",
    };

    public static string DescribeSpf(SpfDnsStatus status, string name) => status switch
    {
        SpfDnsStatus.Present => $"SPF: an SPF record is present at {name}. Make sure it includes your SMTP provider.",
        SpfDnsStatus.Multiple => $"SPF: {name} has more than one SPF record; receivers then ignore SPF entirely. Merge them into one.",
        _ => $"SPF: no SPF record found at {name}.",
    };

    public static string DescribeDmarc(DmarcDnsStatus status, string name) => status switch
    {
        DmarcDnsStatus.Present => $"DMARC: a DMARC record is present at {name}.",
        DmarcDnsStatus.Multiple => $"DMARC: {name} has more than one DMARC record; receivers then ignore DMARC. Keep one.",
        _ => $"DMARC: no DMARC record found at {name}.",
    };

    /// <summary>The value of one tag in a "tag=value; tag=value" list (RFC 6376 3.2), or null.</summary>
    internal static string? Tag(string record, string tag)
    {
        foreach (var part in record.Split(';'))
        {
            var eq = part.IndexOf('=');
            if (eq > 0 && part[..eq].Trim().Equals(tag, StringComparison.OrdinalIgnoreCase)) return part[(eq + 1)..].Trim();
        }
        return null;
    }

    private static bool StartsWithVersion(string record, string version)
    {
        var r = record.TrimStart();
        return r.StartsWith(version, StringComparison.OrdinalIgnoreCase)
               && (r.Length == version.Length || r[version.Length] is ' ' or ';' or '\t');
    }

    private static string StripWhitespace(string s) => string.Concat(s.Where(c => !char.IsWhiteSpace(c)));
}

/// <summary>Runs the three lookups for a domain and writes the plain-words result onto it.</summary>
public sealed class DomainDnsChecker(IDnsTxtLookup dns, TimeProvider clock)
{
    public sealed record Line(bool Ok, string Text);

    public async Task<IReadOnlyList<Line>> CheckAsync(SendingDomain domain, DomainDnsRecords expected, CancellationToken ct)
    {
        var lines = new List<Line>
        {
            await CheckOneAsync(expected.DkimName, ct, txt =>
            {
                var s = DnsRecordEvaluator.EvaluateDkim(txt, domain.DkimPublicKey);
                return new Line(s == DkimDnsStatus.Matching, DnsRecordEvaluator.DescribeDkim(s, expected.DkimName));
            }),
            await CheckOneAsync(expected.SpfName, ct, txt =>
            {
                var s = DnsRecordEvaluator.EvaluateSpf(txt);
                return new Line(s == SpfDnsStatus.Present, DnsRecordEvaluator.DescribeSpf(s, expected.SpfName));
            }),
            await CheckOneAsync(expected.DmarcName, ct, txt =>
            {
                var s = DnsRecordEvaluator.EvaluateDmarc(txt);
                return new Line(s == DmarcDnsStatus.Present, DnsRecordEvaluator.DescribeDmarc(s, expected.DmarcName));
            }),
        };
        domain.DnsCheckedAt = clock.GetUtcNow().UtcDateTime;
        domain.DnsCheckResult = Format(lines);
        return lines;
    }

    /// <summary>Stored one line per record, each starting with "ok " or "!! ", so the page can show it again with icons.</summary>
    public static string Format(IEnumerable<Line> lines)
    {
        var text = string.Join('\n', lines.Select(l => (l.Ok ? "ok " : "!! ") + l.Text));
        return text.Length <= 2000 ? text : text[..2000];
    }

    public static IReadOnlyList<Line> Parse(string? stored) => string.IsNullOrEmpty(stored)
        ? []
        : stored.Split('\n').Select(l => new Line(l.StartsWith("ok ", StringComparison.Ordinal), l.Length > 3 ? l[3..] : l)).ToList();

    private async Task<Line> CheckOneAsync(string name, CancellationToken ct, Func<IReadOnlyList<string>, Line> evaluate)
    {
        try
        {
            return evaluate(await dns.LookupTxtAsync(name, ct));
        }
        catch (DnsLookupFailedException e)
        {
            return new Line(false, $"{name}: could not be checked, the DNS lookup failed ({e.Message}). Try again in a minute.");
        }
    }
}
