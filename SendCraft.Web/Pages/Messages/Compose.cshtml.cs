using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Messages;

/// <summary>A one-off email from one of the workspace's accounts, queued in the outbox; the user lands on its log entry.</summary>
[RequiresRole(WorkspaceRole.Member)] // the form too, not only its post
public sealed class ComposeModel(SendCraftDbContext db, Outbox outbox, Microsoft.Extensions.Options.IOptions<SendingOptions> options) : PageModel
{
    public long MaxAttachmentBytes => options.Value.ComposeMaxAttachmentBytes;
    private int MaxRecipients => options.Value.ComposeMaxRecipients;

    public sealed record AccountOption(long Id, string Label);

    [BindProperty] public ComposeInput Input { get; set; } = new();
    [BindProperty] public List<IFormFile> Attachments { get; set; } = [];
    /// <summary>Made when the form is shown and posted back with it: a double submit or a browser retry queues once.</summary>
    [BindProperty] public string? SubmissionKey { get; set; }
    public IReadOnlyList<AccountOption> Accounts { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        await LoadAccountsAsync();
        SubmissionKey = Guid.NewGuid().ToString("N");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAccountsAsync();
        if (Accounts.All(a => a.Id != Input.AccountId)) ModelState.AddModelError("Input.AccountId", "Choose one of the active SMTP accounts.");

        var to = ParseAddresses(Input.To, "Input.To");
        var cc = ParseAddresses(Input.Cc, "Input.Cc");
        var bcc = ParseAddresses(Input.Bcc, "Input.Bcc");
        if (to.Count == 0 && ModelState.GetFieldValidationState("Input.To") != Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid)
            ModelState.AddModelError("Input.To", "Enter at least one recipient.");
        if (to.Count + cc.Count + bcc.Count > MaxRecipients)
            ModelState.AddModelError("Input.To", $"At most {MaxRecipients} recipients; for more, use a list and a campaign.");
        if (!HeaderGuard.IsSafe(Input.Subject)) ModelState.AddModelError("Input.Subject", "The subject must be one line.");
        if (string.IsNullOrWhiteSpace(Input.HtmlBody) && string.IsNullOrWhiteSpace(Input.TextBody))
            ModelState.AddModelError("Input.HtmlBody", "Write an HTML body, a text body, or both.");
        if (Attachments.Sum(f => f.Length) > MaxAttachmentBytes)
            ModelState.AddModelError(nameof(Attachments), $"Attachments exceed {MaxAttachmentBytes / 1024 / 1024} MB in all.");
        if (!ModelState.IsValid) return Page();

        var files = new List<AttachmentInput>();
        foreach (var file in Attachments.Where(f => f.Length > 0))
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            files.Add(new AttachmentInput(Path.GetFileName(file.FileName), string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType, buffer.ToArray()));
        }
        var rows = await outbox.QueueAsync(new OutgoingEmail(Input.AccountId, to, cc, bcc, Input.Subject.Trim(),
            NullIfBlank(Input.HtmlBody), NullIfBlank(Input.TextBody), files, ValidKeyOrNull(SubmissionKey)), ct);
        TempData["Flash"] = rows.Count == 1 ? "Queued. It leaves in a moment." : $"Queued for {rows.Count} recipients; this is the first one's entry.";
        return Redirect($"/messages/{rows[0].Id}");
    }

    /// <summary>Comma- or semicolon-separated addresses, "Name &lt;a@b&gt;" allowed. Problems go next to the field, naming the bad entry.</summary>
    private List<MailboxAddress> ParseAddresses(string? value, string field)
    {
        var result = new List<MailboxAddress>();
        if (string.IsNullOrWhiteSpace(value)) return result;
        if (!HeaderGuard.IsSafe(value))
        {
            ModelState.AddModelError(field, "Addresses must be on one line.");
            return result;
        }
        if (!InternetAddressList.TryParse(value.Replace(';', ','), out var list))
        {
            ModelState.AddModelError(field, "These addresses could not be read. Separate them with commas, e.g. ann@example.com, Bob <bob@example.com>.");
            return result;
        }
        foreach (var address in list.Mailboxes)
        {
            var at = address.Address.IndexOf('@');
            if (at < 1 || at == address.Address.Length - 1 || !address.Address[(at + 1)..].Contains('.'))
                ModelState.AddModelError(field, $"\"{address.Address}\" is not a complete email address.");
            else
                result.Add(address);
        }
        return result;
    }

    private static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    // A form without a key (an old tab, a script) still sends; it only loses the double-submit protection.
    private static string? ValidKeyOrNull(string? key) => Guid.TryParseExact(key, "N", out _) ? "compose:" + key : null;

    private async Task LoadAccountsAsync() =>
        Accounts = await db.SmtpAccounts.AsNoTracking().Where(a => a.IsActive && a.Domain!.IsActive).OrderBy(a => a.FromEmail)
            .Select(a => new AccountOption(a.Id, a.FromName == "" ? a.FromEmail : a.FromName + " <" + a.FromEmail + ">")).ToListAsync();

    public sealed class ComposeInput
    {
        [Display(Name = "From")] public long AccountId { get; set; }
        [Display(Name = "To")] public string? To { get; set; }
        [Display(Name = "Cc")] public string? Cc { get; set; }
        [Display(Name = "Bcc")] public string? Bcc { get; set; }
        [Required(ErrorMessage = "Write a subject."), StringLength(998), Display(Name = "Subject")] public string Subject { get; set; } = "";
        [Display(Name = "HTML body")] public string? HtmlBody { get; set; }
        [Display(Name = "Text body")] public string? TextBody { get; set; }
    }
}
