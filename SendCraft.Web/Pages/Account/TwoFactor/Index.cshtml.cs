using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SendCraft.Web.Data;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Account.TwoFactor;

[NoWorkspaceRole]
public sealed class IndexModel(UserManager<AppUser> users, SignInManager<AppUser> signIn) : PageModel
{
    public const int RecoveryCodeCount = 10;

    public bool Enabled { get; private set; }
    public int RecoveryCodesLeft { get; private set; }
    public IReadOnlyList<string>? NewRecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        await LoadAsync(user);
        return Page();
    }

    /// <summary>Turning 2FA off needs the password, so a session left open on a shared computer is not enough.</summary>
    public async Task<IActionResult> OnPostDisableAsync(string? password)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        if (!await PasswordIsRightAsync(user, password)) return await PageAsync(user);

        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        // A new key: the last accepted step of the old one must not refuse the first code of the next enrolment.
        await OneTimeAuthenticatorTokenProvider.ForgetAsync(users, user);
        await signIn.RefreshSignInAsync(user);
        TempData["Flash"] = "Two-factor authentication is off.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRegenerateCodesAsync(string? password)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        if (!await PasswordIsRightAsync(user, password)) return await PageAsync(user);
        if (!user.TwoFactorEnabled) return RedirectToPage();

        NewRecoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
        return await PageAsync(user);
    }

    private async Task<bool> PasswordIsRightAsync(AppUser user, string? password)
    {
        if (!string.IsNullOrEmpty(password) && await users.CheckPasswordAsync(user, password)) return true;
        ModelState.AddModelError("", "The password is not correct.");
        return false;
    }

    private async Task<IActionResult> PageAsync(AppUser user)
    {
        await LoadAsync(user);
        return Page();
    }

    private async Task LoadAsync(AppUser user)
    {
        Enabled = await users.GetTwoFactorEnabledAsync(user);
        RecoveryCodesLeft = await users.CountRecoveryCodesAsync(user);
    }
}
