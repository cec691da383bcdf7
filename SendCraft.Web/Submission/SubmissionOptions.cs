using System.ComponentModel.DataAnnotations;

namespace SendCraft.Web.Submission;

/// <summary>Settings of the SMTP submission listener (section "Submission"). Off by default.</summary>
public sealed class SubmissionOptions
{
    public const string Section = "Submission";

    public bool Enabled { get; set; }

    /// <summary>The address to listen on: 0.0.0.0 for every interface, 127.0.0.1 for this machine only.</summary>
    public string Address { get; set; } = "0.0.0.0";

    [Range(1, 65535)] public int Port { get; set; } = 587;

    /// <summary>The certificate offered with STARTTLS: a .pfx (with CertificatePassword), or a PEM certificate with CertificateKeyPath.</summary>
    public string? CertificatePath { get; set; }
    public string? CertificateKeyPath { get; set; }
    public string? CertificatePassword { get; set; }

    /// <summary>AUTH (and so mail) only after STARTTLS: the API key is the password. Turn off only for tests or a trusted local network.</summary>
    public bool RequireTls { get; set; } = true;

    /// <summary>The largest message accepted (SIZE, and enforced while the data arrives): 552 beyond it.</summary>
    [Range(1024, int.MaxValue)] public int MaxMessageBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Recipients of one message; more get 452 (the client sends the rest in another transaction).</summary>
    [Range(1, 10_000)] public int MaxRecipients { get; set; } = 100;

    /// <summary>The name in the greeting and EHLO answer.</summary>
    public string ServerName { get; set; } = Environment.MachineName;
}
