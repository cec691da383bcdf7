using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QRCoder;
using SendCraft.Web.Data;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Account.TwoFactor;

/// <summary>
/// Authenticator enrolment: show the shared key as a QR code (an otpauth:// URI, the Key Uri Format that
/// authenticator apps read) and as text, confirm with one code, then show ten recovery codes once.
/// </summary>
[NoWorkspaceRole]
public sealed class EnableModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, CurrentWorkspace workspace, OneTimeAuthenticatorTokenProvider codes) : PageModel
{
    [BindProperty] public string Code { get; set; } = "";
    [BindProperty(SupportsGet = true)] public bool Required { get; set; }

    public string WorkspaceName => workspace.Name;
    public string SharedKeyFormatted { get; private set; } = "";
    public string QrCodeSvg { get; private set; } = "";
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        if (user.TwoFactorEnabled) return RedirectToPage("./Index");
        await LoadKeyAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        if (user.TwoFactorEnabled) return RedirectToPage("./Index");

        var code = Code.Replace(" ", "").Replace("-", "");
        var valid = code.Length > 0 &&
                    await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code);
        if (!valid)
        {
            ModelState.AddModelError(nameof(Code), code.Length > 0 && await codes.IsReplayAsync(code, users, user)
                ? LoginWith2faModel.ReplayMessage
                : "That code is not valid. Enter the current 6-digit code from the app.");
            await LoadKeyAsync(user);
            return Page();
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        RecoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, IndexModel.RecoveryCodeCount))!.ToList();
        await signIn.RefreshSignInAsync(user);
        return Page();
    }

    private async Task LoadKeyAsync(AppUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = (await users.GetAuthenticatorKeyAsync(user))!;
        }
        SharedKeyFormatted = FormatKey(key);

        var label = Uri.EscapeDataString($"SendCraft:{user.Email}");
        var uri = $"otpauth://totp/{label}?secret={key}&issuer=SendCraft&digits=6";
        using var data = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.Q);
        QrCodeSvg = new SvgQRCode(data).GetGraphic(4);
    }

    /// <summary>Groups of four lower-case characters are easier to type into an app than one long run.</summary>
    private static string FormatKey(string key)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(key.AsSpan(i, Math.Min(4, key.Length - i)));
        }
        return sb.ToString().ToLowerInvariant();
    }
}
