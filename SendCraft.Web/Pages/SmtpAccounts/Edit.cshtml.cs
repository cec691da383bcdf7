using System.ComponentModel.DataAnnotations;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Sending;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.SmtpAccounts;

/// <summary>
/// Create or edit an SMTP account. htmx loads the form into the list page (#account-editor); without JavaScript it is a
/// page of its own. The password is write-only: it is encrypted on save and never rendered back.
/// </summary>
[RequiresRole(WorkspaceRole.Admin)] // the form itself: only admins may even open it
public sealed class EditModel(SendCraftDbContext db, SecretProtector secrets) : PageModel
{
    [BindProperty] public AccountInput Input { get; set; } = new();
    public long? Id { get; private set; }
    public bool HasPassword { get; private set; }
    /// <summary>A password is stored but cannot be decrypted here (see SecretUnreadableException): it must be entered again.</summary>
    public bool PasswordUnreadable { get; private set; }
    public IReadOnlyList<string> ActiveDomains { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long? id)
    {
        if (id is not null)
        {
            var account = await db.SmtpAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id);
            if (account is null) return NotFound();
            Id = id;
            HasPassword = account.PasswordProtected is not null;
            PasswordUnreadable = HasPassword && !secrets.CanUnprotect(account.PasswordProtected!);
            Input = AccountInput.From(account);
        }
        return await ShowAsync();
    }

    public async Task<IActionResult> OnPostAsync(long? id)
    {
        SmtpAccount? account = null;
        if (id is not null)
        {
            account = await db.SmtpAccounts.FirstOrDefaultAsync(a => a.Id == id);
            if (account is null) return NotFound();
            Id = id;
            HasPassword = account.PasswordProtected is not null;
            PasswordUnreadable = HasPassword && !secrets.CanUnprotect(account.PasswordProtected!);
        }

        var email = (Input.FromEmail ?? "").Trim();
        SendingDomain? domain = null;
        if (ModelState.GetFieldValidationState("Input.FromEmail") != Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid)
        {
            var domainName = DomainNames.DomainOfEmail(email);
            domain = domainName is null ? null : await db.SendingDomains.FirstOrDefaultAsync(d => d.Name == domainName);
            if (domainName is null)
                ModelState.AddModelError("Input.FromEmail", "Enter a valid email address.");
            else if (domain is null)
                ModelState.AddModelError("Input.FromEmail", $"{domainName} is not a sending domain of this workspace. Add it on the Domains page first.");
            else if (!domain.IsActive)
                ModelState.AddModelError("Input.FromEmail", $"{domainName} is inactive. Activate it on the Domains page before sending from it.");
        }
        var host = (Input.Host ?? "").Trim().ToLowerInvariant();
        if (host.Length > 0 && Uri.CheckHostName(host) is UriHostNameType.Unknown or UriHostNameType.Basic)
            ModelState.AddModelError("Input.Host", "Enter a host name such as smtp.example.com, or an IP address.");
        var username = string.IsNullOrWhiteSpace(Input.Username) ? null : Input.Username.Trim();
        var newPassword = string.IsNullOrEmpty(Input.Password) ? null : Input.Password;
        if (username is not null && newPassword is null && !HasPassword)
            ModelState.AddModelError("Input.Password", "Enter the password for this username.");
        // Keeping a password nobody can decrypt would only move the failure to the first send.
        else if (username is not null && newPassword is null && PasswordUnreadable)
            ModelState.AddModelError("Input.Password", "The stored password cannot be decrypted here: enter it again.");
        if (!ModelState.IsValid) return await ShowAsync();

        if (account is null)
        {
            account = new SmtpAccount();
            db.SmtpAccounts.Add(account);
        }
        account.DomainId = domain!.Id;
        // The local part keeps its case (it can matter to the server); the domain is stored as the domain page has it.
        account.FromEmail = email[..email.LastIndexOf('@')] + "@" + domain.Name;
        account.FromName = (Input.FromName ?? "").Trim();
        account.Host = host;
        account.Port = Input.Port;
        account.Security = Input.Security;
        account.AcceptInvalidCertificate = Input.AcceptInvalidCertificate;
        account.Username = username;
        // Blank on edit keeps the stored password; no username means no password at all.
        if (username is null) account.PasswordProtected = null;
        else if (newPassword is not null) account.PasswordProtected = secrets.Protect(newPassword);
        account.MaxConnections = Input.MaxConnections;
        account.MessagesPerSecond = Input.MessagesPerSecond;
        account.DailyLimit = Input.DailyLimit;
        account.IsActive = Input.IsActive;
        await db.SaveChangesAsync();

        var message = id is null ? $"SMTP account {account.FromEmail} was added. Test its connection next." : $"SMTP account {account.FromEmail} was saved.";
        if (!Request.IsHtmx())
        {
            TempData["Flash"] = message;
            return Redirect($"/smtp-accounts?saved={account.Id}");
        }
        Response.Toast(message, isError: false, "accounts-changed");
        return Content("", "text/html"); // the editor closes
    }

    private async Task<IActionResult> ShowAsync()
    {
        ActiveDomains = await db.SendingDomains.AsNoTracking().Where(d => d.IsActive).OrderBy(d => d.Name).Select(d => d.Name).ToListAsync();
        Input.Password = null; // never echo a password, not even the one just typed
        if (!Request.IsHtmx()) return Page();
        Response.Headers.Vary = "HX-Request";
        return Partial("_AccountForm", this);
    }

    public sealed class AccountInput
    {
        [Required(ErrorMessage = "Enter the address mail is sent from."), EmailAddress(ErrorMessage = "Enter a valid email address."), StringLength(254)]
        [Display(Name = "From address")] public string? FromEmail { get; set; }
        [StringLength(100), Display(Name = "Display name")] public string? FromName { get; set; }
        [Required(ErrorMessage = "Enter the SMTP server's host name."), StringLength(253), Display(Name = "SMTP host")] public string? Host { get; set; }
        [Range(1, 65535, ErrorMessage = "The port must be between 1 and 65535.")] public int Port { get; set; } = 587;
        public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
        [Display(Name = "Accept an invalid certificate")] public bool AcceptInvalidCertificate { get; set; }
        [StringLength(254)] public string? Username { get; set; }
        [StringLength(500)] public string? Password { get; set; }
        [Range(1, 50, ErrorMessage = "Between 1 and 50 connections."), Display(Name = "Max connections")] public int MaxConnections { get; set; } = 4;
        [Range(1, 1000, ErrorMessage = "Between 1 and 1000 messages per second."), Display(Name = "Messages per second")] public int MessagesPerSecond { get; set; } = 20;
        [Range(0, 100_000_000, ErrorMessage = "0 (no limit) or a positive number."), Display(Name = "Daily limit")] public int DailyLimit { get; set; }
        [Display(Name = "Active")] public bool IsActive { get; set; } = true;

        public static AccountInput From(SmtpAccount a) => new()
        {
            FromEmail = a.FromEmail, FromName = a.FromName, Host = a.Host, Port = a.Port, Security = a.Security,
            AcceptInvalidCertificate = a.AcceptInvalidCertificate, Username = a.Username, MaxConnections = a.MaxConnections,
            MessagesPerSecond = a.MessagesPerSecond, DailyLimit = a.DailyLimit, IsActive = a.IsActive,
        };
    }
}
