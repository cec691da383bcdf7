using OtpNet;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>Computes authenticator codes with Otp.NET, an implementation independent of ASP.NET Identity's.</summary>
public static class Totp
{
    public static string Code(string sharedKey, DateTime? at = null)
    {
        var key = Base32Encoding.ToBytes(sharedKey.Replace(" ", "").ToUpperInvariant());
        return new OtpNet.Totp(key).ComputeTotp(at ?? DateTime.UtcNow);
    }
}
