using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SendCraft.Web.Data;

namespace SendCraft.Web.Pages.Account;

[AllowAnonymous]
public sealed class LoginWithRecoveryCodeModel(SignInManager<AppUser> signIn) : PageModel
{
    [BindProperty] public RecoveryInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("./Login") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null) return RedirectToPage("./Login");

        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(Input.RecoveryCode.Replace(" ", ""));
        if (result.Succeeded)
        {
            TempData["Flash"] = "Signed in with a recovery code. That code is now used up; generate new codes if you are running low.";
            return LocalRedirect(LoginModel.SafeReturnUrl(ReturnUrl));
        }
        ModelState.AddModelError(result.IsLockedOut ? "" : "Input.RecoveryCode",
            result.IsLockedOut ? "The account is locked for a while. Try again later." : "That recovery code is not valid or has been used.");
        return Page();
    }

    public sealed class RecoveryInput
    {
        [Required, Display(Name = "Recovery code")] public string RecoveryCode { get; set; } = "";
    }
}
