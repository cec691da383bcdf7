using System.Security.Cryptography;
using System.Text;

namespace SendCraft.Web.Webhooks;

/// <summary>
/// Secrets and signatures of the Standard Webhooks specification (standardwebhooks.com): the secret is "whsec_" + base64
/// of random bytes, and the signature header is "v1," + base64(HMAC-SHA256(secret bytes, "{id}.{timestamp}.{body}")).
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(mac);
    }
}
