using Microsoft.AspNetCore.DataProtection;

namespace SendCraft.Web.Sending;

/// <summary>
/// Encrypts secrets at rest (SMTP passwords, DKIM private keys) with ASP.NET Data Protection. The keys live in
/// the database (see AddSendCraft), so every instance sharing it can decrypt. Secrets are never sent to the browser.
/// </summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("SendCraft.Secrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);
    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
