using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.DataProtection;

/// <summary>Which certificate the key ring uses, and how start-up refuses a missing or unusable one.</summary>
public sealed class DataProtectionStartupTests
{
    [Theory]
    [InlineData(null, "DataProtection:CertificatePath is not set")]
    [InlineData("/nonexistent/sendcraft/dataprotection.pfx", "DataProtection:CertificatePath: /nonexistent/sendcraft/dataprotection.pfx does not exist")]
    public async Task Production_WithoutItsCertificate_ExitsWithOneClearLine(string? path, string expected)
    {
        var settings = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        if (path is not null) settings["DataProtection:CertificatePath"] = path;
        var (exitCode, process) = await AppProcess.RunUntilExitAsync(DatabaseKind.Sqlite, settings);
        await using var _ = process;

        Assert.NotEqual(0, exitCode);
        Assert.Equal(StartupSettingException.ExitCode, exitCode);
        var stderr = process.Output.Split('\n').Where(l => l.StartsWith("[stderr] ", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(stderr);
        Assert.StartsWith("[stderr] SendCraft cannot start: " + expected, line);
        Assert.DoesNotContain("   at ", process.Output); // no stack trace
    }

    [Fact]
    public void WithoutASettingOutsideProduction_ACertificateIsCreatedOnce_Private_AndReused()
    {
        var root = Directory.CreateTempSubdirectory("sendcraft-dp-").FullName;
        try
        {
            var env = Environment("Development", root);
            var first = DataProtectionSetup.LoadCertificates(new DataProtectionKeyOptions(), env);
            Assert.True(first.IsGenerated);
            Assert.True(first.CreatedNow);
            Assert.Equal(Path.Combine(root, "App_Data", "keys", "dataprotection.pfx"), first.CurrentPath);
            Assert.True(first.Current.HasPrivateKey);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.CurrentPath));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(first.CurrentPath)!));
            }
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(first.CurrentPath)!)); // no temporary file left

            var second = DataProtectionSetup.LoadCertificates(new DataProtectionKeyOptions(), env);
            Assert.False(second.CreatedNow);
            Assert.Equal(first.Current.Thumbprint, second.Current.Thumbprint);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Production_WithoutASetting_IsRefused_AndCreatesNothing()
    {
        var root = Directory.CreateTempSubdirectory("sendcraft-dp-").FullName;
        try
        {
            var error = Assert.Throws<StartupSettingException>(() =>
                DataProtectionSetup.LoadCertificates(new DataProtectionKeyOptions(), Environment(Environments.Production, root)));
            Assert.Contains("deploy/install.sh", error.Message);
            Assert.False(Directory.Exists(Path.Combine(root, "App_Data")));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void ConfiguredCertificates_PfxWithPasswordFile_PemPair_AndAPreviousOne_Load()
    {
        var env = Environment(Environments.Production, Path.GetTempPath());
        var passwordFile = Path.GetTempFileName();
        try
        {
            File.WriteAllText(passwordFile, "pfx-pass\n");
            var pfx = DataProtectionSetup.LoadCertificates(
                new DataProtectionKeyOptions { CertificatePath = TestCertificates.Pfx("pfx-pass"), CertificatePasswordFile = passwordFile }, env);
            Assert.True(pfx.Current.HasPrivateKey);
            Assert.False(pfx.IsGenerated);

            var (pem, key) = TestCertificates.PemPair();
            var rotated = DataProtectionSetup.LoadCertificates(
                new DataProtectionKeyOptions { CertificatePath = pem, CertificateKeyPath = key, PreviousCertificatePath = TestCertificates.Pfx() }, env);
            Assert.True(rotated.Current.HasPrivateKey);
            Assert.Equal(2, rotated.All.Count());
        }
        finally { File.Delete(passwordFile); }
    }

    [Fact]
    public void ACertificateWithoutItsPrivateKey_OrAWrongPassword_IsRefusedWithTheReason()
    {
        var env = Environment(Environments.Production, Path.GetTempPath());
        var publicOnly = TestCertificates.PublicOnly();
        var noKey = Assert.Throws<StartupSettingException>(() =>
            DataProtectionSetup.LoadCertificates(new DataProtectionKeyOptions { CertificatePath = publicOnly }, env));
        Assert.Equal($"DataProtection:CertificatePath: {publicOnly} has no RSA private key. Use the .pfx file, or the PEM certificate together with its key (DataProtection:CertificateKeyPath).", noKey.Message);

        var pfx = TestCertificates.Pfx("right");
        var wrong = Assert.Throws<StartupSettingException>(() =>
            DataProtectionSetup.LoadCertificates(new DataProtectionKeyOptions { CertificatePath = pfx, CertificatePassword = "wrong" }, env));
        Assert.StartsWith($"DataProtection:CertificatePath: {pfx} cannot be read (", wrong.Message);
        Assert.DoesNotContain('\n', wrong.Message);
    }

    private static HostingEnvironment Environment(string name, string contentRoot) =>
        new() { EnvironmentName = name, ContentRootPath = contentRoot, ApplicationName = "SendCraft.Web" };
}
