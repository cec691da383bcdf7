using System.Security.Cryptography;
using System.Text;

namespace SendCraft.Web.Api;

/// <summary>Making and recognising API key secrets: <c>sc_live_</c> or <c>sc_test_</c> (sandbox) and 32 random base62 characters.</summary>
public static class ApiKeySecrets
{
    public const string LivePrefix = "sc_live_";
    public const string TestPrefix = "sc_test_";
    public const int RandomLength = 32;
    /// <summary>Characters of the random part shown in lists (with the sc_live_/sc_test_ prefix): 8 of 32, so the rest stays secret.</summary>
    public const int VisibleRandomChars = 8;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A new secret: 32 base62 characters from the OS's CSPRNG, about 190 bits.</summary>
    public static string Generate(bool sandbox)
    {
        var random = RandomNumberGenerator.GetString(Alphabet, RandomLength);
        return (sandbox ? TestPrefix : LivePrefix) + random;
    }

    public static string VisiblePrefix(string secret) => secret[..(LivePrefix.Length + VisibleRandomChars)];

    /// <summary>
    /// Hex SHA-256 of the secret. A fast hash is right here, unlike for passwords: the secret is 190 random bits, not
    /// something a person chose, so no dictionary or brute force can find a preimage however fast each guess is, and
    /// a slow hash (PBKDF2, bcrypt) would cost every API request milliseconds of CPU for no protection gained.
    /// Equality lookup of the hash in the database is safe against timing: an attacker learning hash prefixes learns
    /// nothing about the secret.
    /// </summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>True when the string has the shape of a key (so garbage is refused without a database lookup).</summary>
    public static bool LooksValid(string? presented) =>
        presented is { Length: 8 + RandomLength }
        && (presented.StartsWith(LivePrefix, StringComparison.Ordinal) || presented.StartsWith(TestPrefix, StringComparison.Ordinal))
        && presented.AsSpan(8).IndexOfAnyExcept(Alphabet) < 0;
}
