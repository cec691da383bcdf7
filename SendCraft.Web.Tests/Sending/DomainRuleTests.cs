using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Sending;

/// <summary>Domain and selector rules, and what TXT strings mean (pure), plus the real DnsClient lookup against an in-test DNS server.</summary>
public sealed class DomainRuleTests
{
    [Theory]
    [InlineData("Example.COM", "example.com")]
    [InlineData("  mail.example.com.  ", "mail.example.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("a-b.c0.example", "a-b.c0.example")]
    public void Normalize_AcceptsHostNames_LowerCasedAsciiWithoutTrailingDot(string input, string expected)
    {
        Assert.Equal(expected, DomainNames.Normalize(input, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("", "Enter a domain name")]
    [InlineData("localhost", "at least one dot")]
    [InlineData("user@example.com", "only the domain")]
    [InlineData("https://example.com", "without http://")]
    [InlineData("exa mple.com", "not a valid domain name")]
    [InlineData("-bad.example.com", "not a valid domain name")]
    [InlineData("bad-.example.com", "not a valid domain name")]
    [InlineData("under_score.example.com", "not a valid domain name")]
    [InlineData("a..example.com", "not a valid domain name")]
    [InlineData("192.168.1.10", "not an IP address")]
    public void Normalize_RefusesWhatIsNotAHostName_WithAReason(string input, string reason)
    {
        Assert.Null(DomainNames.Normalize(input, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Normalize_RefusesLabelsOver63AndNamesOver253()
    {
        Assert.Null(DomainNames.Normalize(new string('a', 64) + ".example.com", out var label));
        Assert.NotNull(label);
        Assert.Null(DomainNames.Normalize(string.Join('.', Enumerable.Repeat(new string('a', 60), 5)) + ".com", out var total));
        Assert.NotNull(total);
    }

    [Theory]
    [InlineData("sendcraft", "sendcraft")]
    [InlineData("S2025-11", "s2025-11")]
    public void Selector_IsOneDnsLabel(string input, string expected) => Assert.Equal(expected, DomainNames.NormalizeSelector(input, out _));

    [Theory]
    [InlineData("")]
    [InlineData("two.labels")]
    [InlineData("with space")]
    [InlineData("-dash")]
    public void Selector_RefusesAnythingElse(string input)
    {
        Assert.Null(DomainNames.NormalizeSelector(input, out var error));
        Assert.Contains("selector", error, StringComparison.OrdinalIgnoreCase);
    }

    private const string Key = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxyz";

    [Fact]
    public void Dkim_MatchingKey_EvenWithSpacesAndOtherTags()
    {
        Assert.Equal(DkimDnsStatus.Matching, DnsRecordEvaluator.EvaluateDkim([$"v=DKIM1; k=rsa; p={Key}"], Key));
        Assert.Equal(DkimDnsStatus.Matching, DnsRecordEvaluator.EvaluateDkim([$"v=DKIM1;k=rsa;t=s;p={Key[..20]} {Key[20..]}"], Key));
    }

    [Fact]
    public void Dkim_DifferentKey_Or_Missing()
    {
        Assert.Equal(DkimDnsStatus.DifferentKey, DnsRecordEvaluator.EvaluateDkim(["v=DKIM1; k=rsa; p=MIIBOTHERKEY"], Key));
        Assert.Equal(DkimDnsStatus.Missing, DnsRecordEvaluator.EvaluateDkim([], Key));
        Assert.Equal(DkimDnsStatus.Missing, DnsRecordEvaluator.EvaluateDkim(["google-site-verification=abc"], Key));
    }

    [Fact]
    public void Spf_Present_Missing_Multiple()
    {
        Assert.Equal(SpfDnsStatus.Present, DnsRecordEvaluator.EvaluateSpf(["v=spf1 include:relay.example ~all", "other=1"]));
        Assert.Equal(SpfDnsStatus.Missing, DnsRecordEvaluator.EvaluateSpf(["v=spf10 nonsense", "v=DMARC1; p=none"]));
        Assert.Equal(SpfDnsStatus.Multiple, DnsRecordEvaluator.EvaluateSpf(["v=spf1 a ~all", "V=SPF1 mx -all"]));
        Assert.Contains("more than one SPF record", DnsRecordEvaluator.DescribeSpf(SpfDnsStatus.Multiple, "example.com"));
    }

    [Fact]
    public void Dmarc_Present_Missing()
    {
        Assert.Equal(DmarcDnsStatus.Present, DnsRecordEvaluator.EvaluateDmarc(["v=DMARC1; p=none; rua=mailto:d@example.com"]));
        Assert.Equal(DmarcDnsStatus.Missing, DnsRecordEvaluator.EvaluateDmarc(["v=spf1 -all"]));
    }

    [Fact]
    public void DkimKey_SplitIntoSeveralStrings_IsJoinedAndMatches()
    {
        var keys = DkimKeys.Generate();
        var value = DkimKeys.DnsRecordValue(keys.PublicKeyBase64);
        Assert.True(value.Length > 255); // a 2048-bit key never fits one DNS string
        var strings = value.Chunk(255).Select(c => new string(c)).ToArray();
        Assert.Equal(DkimDnsStatus.Matching, DnsRecordEvaluator.EvaluateDkim([string.Concat(strings)], keys.PublicKeyBase64));
    }

    [Fact]
    public async Task DnsClientLookup_AgainstATestDnsServer_JoinsStrings_AndTreatsNxDomainAsNoRecords()
    {
        await using var dns = new TestDnsServer();
        var keys = DkimKeys.Generate();
        dns.SetTxtValues("sendcraft._domainkey.example.test", DkimKeys.DnsRecordValue(keys.PublicKeyBase64));
        dns.SetTxtValues("example.test", "v=spf1 a:relay.example.test ~all", "v=spf1 mx ~all", "site-verification=1");
        var lookup = new DnsClientTxtLookup(dns.EndPoint);

        var dkim = await lookup.LookupTxtAsync("sendcraft._domainkey.example.test", CancellationToken.None);
        Assert.Equal([DkimKeys.DnsRecordValue(keys.PublicKeyBase64)], dkim);
        Assert.Equal(SpfDnsStatus.Multiple, DnsRecordEvaluator.EvaluateSpf(await lookup.LookupTxtAsync("example.test", CancellationToken.None)));
        Assert.Empty(await lookup.LookupTxtAsync("_dmarc.example.test", CancellationToken.None));
    }
}
