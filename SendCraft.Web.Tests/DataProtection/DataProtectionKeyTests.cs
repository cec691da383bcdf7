using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Sending;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.DataProtection;

/// <summary>
/// The key ring in the database is encrypted with a certificate kept outside it: a database without that certificate
/// cannot decrypt the SMTP passwords and DKIM keys, and the pages say so instead of failing.
/// </summary>
public abstract class DataProtectionKeyTests(DatabaseKind kind)
{
    private const string Password = "smtp-Pa55word!";

    [Fact]
    public async Task KeyRing_IsStoredEncryptedWithTheCertificate_NoPlainMasterKey()
    {
        await using var app = await SendCraftApp.StartAsync(kind);
        var owner = await app.SetUpOwnerAsync();
        await owner.CreateDomainAsync("example.com"); // protects a DKIM key: the key ring has a key now

        var keys = await app.QueryAsync(db => db.DataProtectionKeys.AsNoTracking().ToListAsync());
        Assert.NotEmpty(keys);
        foreach (var key in keys)
        {
            Assert.Contains("encryptedSecret", key.Xml);
            Assert.Contains("http://www.w3.org/2001/04/xmlenc#", key.Xml); // XML-Enc EncryptedData
            Assert.DoesNotContain("<masterKey", key.Xml);
            Assert.False(StoredKeyEncryption.NeedsEncryption(XElement.Parse(key.Xml!)));
        }
    }

    [Fact]
    public async Task OtherCertificate_CannotReadStoredSecrets_PagesSaySoClearly_AndTheRightOneReadsThemAfterARestart()
    {
        await using var first = await SendCraftApp.StartAsync(kind);
        var owner = await first.SetUpOwnerAsync();
        var domainId = await owner.CreateDomainAsync("example.com");
        // Port 9 on loopback: nothing listens, and the test never gets that far when the password cannot be read.
        var accountId = await owner.CreateSmtpAccountAsync("news@example.com", "127.0.0.1", 9, SmtpSecurity.None, "relay-user", Password);
        var stored = await first.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().SingleAsync(a => a.Id == accountId));
        var dkim = await first.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().SingleAsync(d => d.Id == domainId));

        // The same database (a dump restored elsewhere) with another certificate.
        var otherCertificate = new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = TestCertificates.Pfx() };
        await using (var thief = SendCraftApp.StartAnotherInstance(first, otherCertificate))
        {
            var secrets = thief.Services.GetRequiredService<SecretProtector>();
            var error = Assert.Throws<SecretUnreadableException>(() => secrets.Unprotect(stored.PasswordProtected!));
            Assert.Contains("DataProtection:CertificatePath", error.Message);
            Assert.Throws<SecretUnreadableException>(() => secrets.Unprotect(dkim.DkimPrivateKeyProtected!));

            var session = await thief.SignInMemberAsync("owner@example.test");
            var edit = await session.GetAsync($"/smtp-accounts/edit/{accountId}");
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
            var editPage = await WebSession.ParseAsync(await edit.Content.ReadAsStringAsync());
            Assert.Contains(SecretUnreadableException.Explanation, editPage.QuerySelector("#password-unreadable")?.TextContent ?? "(no warning on the edit form)");

            var (outcome, summary, _) = await session.TestSmtpConnectionAsync(accountId);
            Assert.Equal(nameof(ConnectionTestOutcome.Failed), outcome);
            Assert.Contains("The stored secret cannot be decrypted: the Data Protection certificate (DataProtection:CertificatePath)", summary);

            var domain = await session.GetAsync($"/domains/{domainId}");
            Assert.Equal(HttpStatusCode.OK, domain.StatusCode);
            var domainPage = await WebSession.ParseAsync(await domain.Content.ReadAsStringAsync());
            Assert.Contains("DataProtection:CertificatePath", domainPage.QuerySelector("#dkim-key-unreadable")?.TextContent ?? "(no warning on the domain page)");

            // Saving the account keeps no password nobody can read: it must be entered again.
            var blank = await session.SubmitFormAsync($"/smtp-accounts/edit/{accountId}", new() { ["Input.Password"] = "" }, "#account-form form");
            Assert.Contains("The stored password cannot be decrypted here: enter it again.", await blank.Content.ReadAsStringAsync());
            Assert.Equal(stored.PasswordProtected, (await thief.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().SingleAsync(a => a.Id == accountId))).PasswordProtected);
        }

        // The right certificate again (the default one of this content root), as after a restart: everything reads.
        await using var restarted = SendCraftApp.StartAnotherInstance(first, new Dictionary<string, string?>());
        var readable = restarted.Services.GetRequiredService<SecretProtector>();
        Assert.Equal(Password, readable.Unprotect(stored.PasswordProtected!));
        Assert.Contains("PRIVATE KEY", readable.Unprotect(dkim.DkimPrivateKeyProtected!));
        var again = await restarted.SignInMemberAsync("owner@example.test");
        var form = await again.GetPageAsync($"/smtp-accounts/edit/{accountId}");
        Assert.Null(form.QuerySelector("#password-unreadable"));
        Assert.NotNull(form.QuerySelector("#password-hint"));
        Assert.Null((await again.GetPageAsync($"/domains/{domainId}")).QuerySelector("#dkim-key-unreadable"));
        var test = await again.TestSmtpConnectionAsync(accountId);
        Assert.DoesNotContain("cannot be decrypted", test.Summary); // it got as far as connecting (and nothing listens)
    }

    [Fact]
    public async Task KeysStoredUnencryptedByAnOlderInstall_AreEncryptedInPlaceAtStart_AndSecretsStillRead()
    {
        await using var first = await SendCraftApp.StartAsync(kind);
        var owner = await first.SetUpOwnerAsync();
        var domainId = await owner.CreateDomainAsync("example.com");
        var accountId = await owner.CreateSmtpAccountAsync("news@example.com", "smtp.example.net", 587, SmtpSecurity.StartTls, "relay-user", Password);

        // Make the rows what an install from before the certificate wrote: the same keys with the master key in plain XML.
        var decryptor = new EncryptedXmlDecryptor(first.Services);
        var before = await first.QueryAsync(async db =>
        {
            var rows = await db.DataProtectionKeys.ToListAsync();
            foreach (var row in rows)
            {
                var xml = XElement.Parse(row.Xml!);
                foreach (var secret in xml.Descendants().Where(e => e.Name.LocalName == "encryptedSecret").ToList())
                    secret.ReplaceWith(decryptor.Decrypt(secret.Elements().Single()));
                row.Xml = xml.ToString(SaveOptions.DisableFormatting);
            }
            await db.SaveChangesAsync();
            return rows.ToDictionary(r => r.FriendlyName!, r => r.Xml!);
        });
        Assert.All(before.Values, xml => Assert.Contains("<masterKey", xml));

        await using var upgraded = SendCraftApp.StartAnotherInstance(first, new Dictionary<string, string?>());
        var after = await upgraded.QueryAsync(db => db.DataProtectionKeys.AsNoTracking().ToDictionaryAsync(r => r.FriendlyName!, r => r.Xml!));
        Assert.Equal(before.Keys.Order(), after.Keys.Order()); // the same keys, none added or removed
        Assert.All(after.Values, xml =>
        {
            Assert.DoesNotContain("<masterKey", xml);
            Assert.Contains("encryptedSecret", xml);
        });
        var secrets = upgraded.Services.GetRequiredService<SecretProtector>();
        var account = await upgraded.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().SingleAsync(a => a.Id == accountId));
        Assert.Equal(Password, secrets.Unprotect(account.PasswordProtected!));
        var domain = await upgraded.QueryAsync(db => db.SendingDomains.IgnoreQueryFilters().SingleAsync(d => d.Id == domainId));
        Assert.Contains("PRIVATE KEY", secrets.Unprotect(domain.DkimPrivateKeyProtected!));

        // And a certificate other than this one cannot read the re-encrypted keys.
        await using var other = SendCraftApp.StartAnotherInstance(first, new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = TestCertificates.Pfx() });
        Assert.Throws<SecretUnreadableException>(() => other.Services.GetRequiredService<SecretProtector>().Unprotect(account.PasswordProtected!));
    }

    [Fact]
    public async Task Rotation_KeysOfThePreviousCertificateMoveToTheNewOne_ThenTheOldOneIsNotNeeded()
    {
        var oldCertificate = TestCertificates.Pfx();
        var newCertificate = TestCertificates.Pfx();
        await using var first = await SendCraftApp.StartAsync(kind, new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = oldCertificate });
        var owner = await first.SetUpOwnerAsync();
        await owner.CreateDomainAsync("example.com");
        var accountId = await owner.CreateSmtpAccountAsync("news@example.com", "smtp.example.net", 587, SmtpSecurity.StartTls, "relay-user", Password);
        var stored = await first.QueryAsync(db => db.SmtpAccounts.IgnoreQueryFilters().SingleAsync(a => a.Id == accountId));
        var keysBefore = await first.QueryAsync(db => db.DataProtectionKeys.AsNoTracking().ToDictionaryAsync(k => k.FriendlyName!, k => k.Xml!));

        await using (var rotated = SendCraftApp.StartAnotherInstance(first, new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = newCertificate, ["DataProtection:PreviousCertificatePath"] = oldCertificate,
        }))
        {
            Assert.Equal(Password, rotated.Services.GetRequiredService<SecretProtector>().Unprotect(stored.PasswordProtected!));
            Assert.Contains(rotated.Log, l => l.StartsWith("Information: ", StringComparison.Ordinal) && l.Contains("encrypted with the previous certificate"));
        }
        var keysAfter = await first.QueryAsync(db => db.DataProtectionKeys.AsNoTracking().ToDictionaryAsync(k => k.FriendlyName!, k => k.Xml!));
        Assert.Equal(keysBefore.Keys.Order(), keysAfter.Keys.Order());
        Assert.All(keysAfter, k => Assert.NotEqual(keysBefore[k.Key], k.Value));

        await using var newOnly = SendCraftApp.StartAnotherInstance(first, new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = newCertificate });
        Assert.Equal(Password, newOnly.Services.GetRequiredService<SecretProtector>().Unprotect(stored.PasswordProtected!));
        Assert.DoesNotContain(newOnly.Log, l => l.Contains("does not have"));

        // The old certificate alone no longer opens them, and start-up says which certificate is missing.
        await using var oldOnly = SendCraftApp.StartAnotherInstance(first, new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = oldCertificate });
        Assert.Throws<SecretUnreadableException>(() => oldOnly.Services.GetRequiredService<SecretProtector>().Unprotect(stored.PasswordProtected!));
        var line = Assert.Single(oldOnly.Log, l => l.Contains("encrypted with a certificate this app does not have"));
        Assert.StartsWith("Error: ", line);
        Assert.Contains("DataProtection:CertificatePath", line);
    }
}

public sealed class DataProtectionKeyTests_Sqlite() : DataProtectionKeyTests(DatabaseKind.Sqlite);
public sealed class DataProtectionKeyTests_MariaDb() : DataProtectionKeyTests(DatabaseKind.MariaDb);
