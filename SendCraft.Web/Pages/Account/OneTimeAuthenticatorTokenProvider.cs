using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using SendCraft.Web.Data;

namespace SendCraft.Web.Pages.Account;

/// <summary>
/// RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP after the successful validation has
/// been issued for the first OTP". Identity's <see cref="AuthenticatorTokenProvider{TUser}"/> accepts a code again for
/// as long as it is in its window (±2 steps of 30 s), so a code seen over someone's shoulder signs in a second time.
/// This provider accepts the same window but remembers the last accepted time step per user (in AspNetUserTokens,
/// no schema change) and refuses any step at or before it. Sign-in and enrolment confirmation both come through here.
/// </summary>
public sealed class OneTimeAuthenticatorTokenProvider(TimeProvider clock) : AuthenticatorTokenProvider<AppUser>
{
    internal const string TokenProvider = "[SendCraft]";
    internal const string LastStepTokenName = "LastTotpStep";
    private const int StepSeconds = 30;
    private const int Window = 2; // steps either side, as Identity's provider allows for clock drift

    public override async Task<bool> ValidateAsync(string purpose, string token, UserManager<AppUser> manager, AppUser user)
    {
        var step = await MatchStepAsync(token, manager, user);
        if (step is null) return false;
        if (step <= await LastAcceptedStepAsync(manager, user)) return false;

        // UpdateUserAsync checks the user's concurrency stamp: of two requests racing with the same code, one loses.
        var saved = await manager.SetAuthenticationTokenAsync(user, TokenProvider, LastStepTokenName, step.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return saved.Succeeded;
    }

    /// <summary>True when the code is right for the user's key but its step was already used: a replay, said so to the user.</summary>
    public async Task<bool> IsReplayAsync(string token, UserManager<AppUser> manager, AppUser user) =>
        await MatchStepAsync(token, manager, user) is { } step && step <= await LastAcceptedStepAsync(manager, user);

    /// <summary>Forgets the last accepted step (with a new authenticator key, old steps mean nothing).</summary>
    public static Task<IdentityResult> ForgetAsync(UserManager<AppUser> manager, AppUser user) =>
        manager.RemoveAuthenticationTokenAsync(user, TokenProvider, LastStepTokenName);

    private async Task<long?> MatchStepAsync(string token, UserManager<AppUser> manager, AppUser user)
    {
        if (token.Length != 6 || !token.All(char.IsAsciiDigit)) return null;
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key) || FromBase32(key) is not { Length: > 0 } keyBytes) return null;
        var code = int.Parse(token, System.Globalization.CultureInfo.InvariantCulture);
        var now = clock.GetUtcNow().ToUnixTimeSeconds() / StepSeconds;
        // Newest first: when two steps in the window share a code, the later one is recorded.
        for (var step = now + Window; step >= now - Window; step--)
            if (Compute(keyBytes, step) == code) return step;
        return null;
    }

    private static async Task<long> LastAcceptedStepAsync(UserManager<AppUser> manager, AppUser user) =>
        long.TryParse(await manager.GetAuthenticationTokenAsync(user, TokenProvider, LastStepTokenName), out var last) ? last : long.MinValue;

    /// <summary>RFC 6238 TOTP over HMAC-SHA1 with 6 digits (RFC 4226 §5.3 dynamic truncation).</summary>
    private static int Compute(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[20];
        HMACSHA1.HashData(key, counter, hash);
        var offset = hash[^1] & 0x0F;
        var binary = ((hash[offset] & 0x7F) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return binary % 1_000_000;
    }

    /// <summary>RFC 4648 base32, the alphabet of Identity's authenticator keys; null when a character is outside it.</summary>
    private static byte[]? FromBase32(string input)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = input.TrimEnd('=').ToUpperInvariant();
        var output = new byte[text.Length * 5 / 8];
        int buffer = 0, bits = 0, index = 0;
        foreach (var c in text)
        {
            var value = alphabet.IndexOf(c);
            if (value < 0) return null;
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output[index++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }
        return output;
    }
}
