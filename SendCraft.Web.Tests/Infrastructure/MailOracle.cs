using System.Diagnostics;
using System.Text.Json;

namespace SendCraft.Web.Tests.Infrastructure;

/// <summary>Python's email package and dkimpy on a received message (Sending/mail_oracle.py).</summary>
public static class MailOracle
{
    public static async Task<JsonElement> ParseAsync(byte[] raw, string? dkimRecord)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, raw);
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Sending", "mail_oracle.py"));
            start.ArgumentList.Add(file);
            start.ArgumentList.Add(dkimRecord ?? "v=DKIM1; k=rsa; p=");
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, "mail_oracle.py failed: " + await stderr);
            return JsonDocument.Parse(await stdout).RootElement.Clone();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
