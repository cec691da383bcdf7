using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;

namespace SendCraft.Web.Pages.Account;

[AllowAnonymous]
public sealed class LoginModel(SignInManager<AppUser> signIn, UserManager<AppUser> users, IOptions<IdentityOptions> identity, TimeProvider clock)
    : PageModel
{
    [BindProperty] public LoginInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public DateTimeOffset? LockedOutUntil { get; private set; }
    public int MaxAttempts => identity.Value.Lockout.MaxFailedAccessAttempts;
    public int LockoutMinutesLeft => LockedOutUntil is { } u ? Math.Max(1, (int)Math.Ceiling((u - clock.GetUtcNow()).TotalMinutes)) : 0;

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        var result = await signIn.PasswordSignInAsync(Input.Email.Trim(), Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded) return LocalRedirect(SafeReturnUrl(ReturnUrl));
        if (result.RequiresTwoFactor)
            return RedirectToPage("./LoginWith2fa", new { ReturnUrl, Input.RememberMe });
        if (result.IsLockedOut)
        {
            var user = await users.FindByEmailAsync(Input.Email.Trim());
            LockedOutUntil = user?.LockoutEnd;
            return Page();
        }
        ModelState.AddModelError("", "Invalid email or password.");
        return Page();
    }

    /// <summary>Only local paths: a crafted returnUrl must never send a user to another site after sign-in.</summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\")
            ? returnUrl
            : "/";

    public sealed class LoginInput
    {
        [Required, EmailAddress] public string Email { get; set; } = "";
        [Required, DataType(DataType.Password)] public string Password { get; set; } = "";
        [Display(Name = "Keep me signed in on this device")] public bool RememberMe { get; set; }
    }
}
