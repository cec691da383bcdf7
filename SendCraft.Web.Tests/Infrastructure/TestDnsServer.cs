using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>
/// A DNS server on 127.0.0.1 (UDP, RFC 1035 message format) that answers TXT queries from a table the test fills, and
/// NXDOMAIN for every other name. Enough for DnsClient's LookupClient; it stops when disposed or after two minutes.
/// </summary>
public sealed class TestDnsServer : IAsyncDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(2));
    private readonly ConcurrentDictionary<string, IReadOnlyList<string[]>> _txt = new(StringComparer.OrdinalIgnoreCase);
    private readonly Task _loop;

    public TestDnsServer() => _loop = ServeAsync();

    public IPEndPoint EndPoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

    /// <summary>Publishes TXT records at a name; each record is one or more character-strings (each at most 255 bytes).</summary>
    public void SetTxt(string name, params string[][] records) => _txt[name.TrimEnd('.')] = records;

    /// <summary>Publishes single-value records, splitting long values into 255-byte strings as DNS consoles do.</summary>
    public void SetTxtValues(string name, params string[] values) =>
        SetTxt(name, values.Select(v => v.Chunk(255).Select(c => new string(c)).ToArray()).ToArray());

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        try { await _loop; } catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult request;
            try
            {
                request = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var answer = Answer(request.Buffer);
            if (answer is not null) await _udp.SendAsync(answer, request.RemoteEndPoint, _stop.Token);
        }
    }

    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 17) return null;
        // Question: labels up to a zero byte, then QTYPE and QCLASS.
        var labels = new List<string>();
        var offset = 12;
        while (offset < query.Length && query[offset] != 0)
        {
            var length = query[offset];
            if (offset + 1 + length > query.Length) return null;
            labels.Add(Encoding.ASCII.GetString(query, offset + 1, length));
            offset += 1 + length;
        }
        var questionEnd = offset + 5;
        if (questionEnd > query.Length) return null;
        var qtype = (query[offset + 1] << 8) | query[offset + 2];
        var name = string.Join('.', labels);
        var found = _txt.TryGetValue(name, out var records);
        var answers = found && qtype == 16 ? records! : [];

        using var response = new MemoryStream();
        response.Write(query, 0, 2); // ID
        response.WriteByte((byte)(0x84 | (query[2] & 0x01))); // QR, AA, RD copied
        response.WriteByte((byte)(0x80 | (found ? 0 : 3))); // RA, RCODE NOERROR or NXDOMAIN
        WriteUInt16(response, 1);
        WriteUInt16(response, answers.Count);
        WriteUInt16(response, 0);
        WriteUInt16(response, 0);
        response.Write(query, 12, questionEnd - 12);
        foreach (var strings in answers)
        {
            var rdata = strings.SelectMany(s => new[] { (byte)Encoding.ASCII.GetByteCount(s) }.Concat(Encoding.ASCII.GetBytes(s))).ToArray();
            response.Write([0xC0, 0x0C]); // the name: a pointer to the question's
            WriteUInt16(response, 16); // TXT
            WriteUInt16(response, 1); // IN
            response.Write([0, 0, 0, 60]); // TTL
            WriteUInt16(response, rdata.Length);
            response.Write(rdata);
        }
        return response.ToArray();
    }

    private static void WriteUInt16(Stream s, int value)
    {
        s.WriteByte((byte)(value >> 8));
        s.WriteByte((byte)value);
    }
}
