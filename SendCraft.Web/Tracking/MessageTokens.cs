using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SendCraft.Web.Tracking;

/// <summary>What a token may be used for: a token made for one purpose is refused for every other.</summary>
/// <remarks>WorkspaceReply names a workspace (its id in place of the message id): its inbound reply address.</remarks>
public enum TokenPurpose : byte { Click = 1, Open = 2, Unsubscribe = 3, ReturnPath = 4, WorkspaceReply = 5 }

/// <summary>
/// Short signed tokens naming one outbox message (and, for clicks, one link of it): the tracking URLs, the unsubscribe
/// URL and the VERP return path carry them, so nobody can forge a click for another message, turn the redirect into an
/// open redirect or unsubscribe someone else. Lower-case hex (case-insensitive, safe in a URL path and in the local part
/// of an address, which some servers lower-case): 8 bytes of message id, 2 of link index for clicks, 10 of
/// HMAC-SHA256 over purpose, id and index. 80 bits of MAC: forging needs 2^80 guesses, each one an HTTP request.
/// </summary>
public sealed class MessageTokens(InstallationKeys keys)
{
    private const int IdBytes = 8, IndexBytes = 2, MacBytes = 10;

    public string Create(TokenPurpose purpose, long messageId, int linkIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(messageId);
        ArgumentOutOfRangeException.ThrowIfNegative(linkIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(linkIndex, ushort.MaxValue);
        var withIndex = purpose == TokenPurpose.Click;
        Span<byte> token = stackalloc byte[IdBytes + (withIndex ? IndexBytes : 0) + MacBytes];
        BinaryPrimitives.WriteInt64BigEndian(token, messageId);
        if (withIndex) BinaryPrimitives.WriteUInt16BigEndian(token[IdBytes..], (ushort)linkIndex);
        var body = token[..^MacBytes];
        Mac(purpose, body, token[^MacBytes..]);
        return Convert.ToHexStringLower(token);
    }

    /// <summary>False for anything not made by <see cref="Create"/> with this purpose and this installation's key.</summary>
    public bool TryRead(TokenPurpose purpose, string? token, out long messageId, out int linkIndex)
    {
        messageId = 0;
        linkIndex = 0;
        var withIndex = purpose == TokenPurpose.Click;
        var length = IdBytes + (withIndex ? IndexBytes : 0) + MacBytes;
        if (token is null || token.Length != length * 2) return false;
        Span<byte> bytes = stackalloc byte[length];
        if (Convert.FromHexString(token, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != length)
            return false;
        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(purpose, bytes[..^MacBytes], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes[^MacBytes..])) return false;
        messageId = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (withIndex) linkIndex = BinaryPrimitives.ReadUInt16BigEndian(bytes[IdBytes..]);
        return messageId >= 0;
    }

    private void Mac(TokenPurpose purpose, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[1 + body.Length];
        input[0] = (byte)purpose;
        body.CopyTo(input[1..]);
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(keys.TokenKey, input, full);
        full[..MacBytes].CopyTo(destination);
    }
}
