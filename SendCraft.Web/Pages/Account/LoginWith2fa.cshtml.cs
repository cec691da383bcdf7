using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SendCraft.Web.Data;

namespace SendCraft.Web.Pages.Account;

/// <summary>Second step of sign-in: the password was right, now the authenticator code (RFC 6238 TOTP).</summary>
[AllowAnonymous]
public sealed class LoginWith2faModel(SignInManager<AppUser> signIn, OneTimeAuthenticatorTokenProvider codes) : PageModel
{
    [BindProperty] public CodeInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty(SupportsGet = true)] public bool RememberMe { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("./Login") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is not { } user) return RedirectToPage("./Login");

        var code = Input.Code.Replace(" ", "").Replace("-", "");
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, RememberMe, Input.RememberMachine);
        if (result.Succeeded) return LocalRedirect(LoginModel.SafeReturnUrl(ReturnUrl));
        if (result.IsLockedOut)
        {
            ModelState.AddModelError("", "Too many wrong codes: the account is locked for a while. Try again later.");
            return Page();
        }
        if (await codes.IsReplayAsync(code, signIn.UserManager, user))
        {
            ModelState.AddModelError("Input.Code", ReplayMessage);
            return Page();
        }
        ModelState.AddModelError("Input.Code", "That code is not valid. Codes change every 30 seconds; check your device's clock.");
        return Page();
    }

    internal const string ReplayMessage = "That code has already been used. Wait for the next code from your authenticator app (a new one every 30 seconds).";

    public sealed class CodeInput
    {
        [Required, StringLength(9, MinimumLength = 6), Display(Name = "Authentication code")]
        public string Code { get; set; } = "";

        [Display(Name = "Remember this device for 14 days")]
        public bool RememberMachine { get; set; }
    }
}
