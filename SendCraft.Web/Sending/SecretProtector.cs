using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using SendCraft.Web.Infrastructure;

namespace SendCraft.Web.Sending;

/// <summary>
/// Encrypts secrets at rest (SMTP passwords, DKIM private keys) with ASP.NET Data Protection. The keys live in
/// the database (see AddSendCraft), so every instance sharing it can decrypt; the keys themselves are encrypted with a
/// certificate kept outside the database (DataProtectionSetup). Secrets are never sent to the browser.
/// </summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("SendCraft.Secrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    /// <exception cref="SecretUnreadableException">The key it was protected with cannot be used here.</exception>
    public string Unprotect(string protectedSecret)
    {
        try
        {
            return _protector.Unprotect(protectedSecret);
        }
        catch (CryptographicException e)
        {
            throw new SecretUnreadableException(e);
        }
    }

    /// <summary>Whether <paramref name="protectedSecret"/> can be decrypted here, for pages that warn before it is needed.</summary>
    public bool CanUnprotect(string protectedSecret)
    {
        try
        {
            _protector.Unprotect(protectedSecret);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>
/// A stored secret that cannot be decrypted: almost always the key ring was encrypted with another certificate than the
/// one configured (a database restored without its certificate, or the certificate file replaced). A
/// CryptographicException, so code that already catches those (BatchSender) keeps doing so.
/// </summary>
public sealed class SecretUnreadableException(Exception inner) : CryptographicException(Explanation, inner)
{
    public const string Reason =
        "the Data Protection certificate (" + DataProtectionSetup.PathSetting + ") is not the one the keys were protected with, " +
        "or the key was removed from the database.";
    public const string Explanation = "The stored secret cannot be decrypted: " + Reason + " Restore that certificate, or enter the secret again.";
}
