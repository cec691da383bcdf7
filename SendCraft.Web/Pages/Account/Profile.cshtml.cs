using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Workspaces;

namespace SendCraft.Web.Pages.Account;

[NoWorkspaceRole]
public sealed class ProfileModel(UserManager<AppUser> users, SignInManager<AppUser> signIn) : PageModel
{
    // Each form binds only its own input, so a validation error in one never blocks the other.
    public DetailsInput Details { get; set; } = new();
    public PasswordInput Password { get; set; } = new();

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        Details = new DetailsInput { DisplayName = user.DisplayName, Email = user.Email ?? "" };
        return Page();
    }

    public async Task<IActionResult> OnPostDetailsAsync([FromForm(Name = "Details")] DetailsInput details)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        Details = details;
        if (!ModelState.IsValid) return Page();

        user.DisplayName = details.DisplayName.Trim();
        var email = details.Email.Trim();
        if (!string.Equals(user.Email, email, StringComparison.OrdinalIgnoreCase))
        {
            user.Email = email;
            user.UserName = email;
        }
        var result = await users.UpdateAsync(user);
        if (!result.Succeeded)
        {
            foreach (var e in result.Errors) ModelState.AddModelError(IdentityErrorField.For(e, nameof(Details)), e.Description);
            return Page();
        }
        await signIn.RefreshSignInAsync(user);
        TempData["Flash"] = "Your profile was saved.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostPasswordAsync([FromForm(Name = "Password")] PasswordInput password)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        Details = new DetailsInput { DisplayName = user.DisplayName, Email = user.Email ?? "" };
        if (!ModelState.IsValid) return Page();

        var result = await users.ChangePasswordAsync(user, password.CurrentPassword, password.NewPassword);
        if (!result.Succeeded)
        {
            foreach (var e in result.Errors)
            {
                var field = e.Code == "PasswordMismatch" ? "Password.CurrentPassword" : IdentityErrorField.For(e, nameof(Password), "NewPassword");
                ModelState.AddModelError(field, e.Code == "PasswordMismatch" ? "The current password is not correct." : e.Description);
            }
            return Page();
        }
        await signIn.RefreshSignInAsync(user);
        TempData["Flash"] = "Your password was changed.";
        return RedirectToPage();
    }

    public sealed class DetailsInput
    {
        [Required, StringLength(100), PlainName, Display(Name = "Name")] public string DisplayName { get; set; } = "";
        [Required, EmailAddress, StringLength(256)] public string Email { get; set; } = "";
    }

    public sealed class PasswordInput
    {
        [Required, DataType(DataType.Password), Display(Name = "Current password")] public string CurrentPassword { get; set; } = "";
        [Required, DataType(DataType.Password), Display(Name = "New password")] public string NewPassword { get; set; } = "";
        [Required, DataType(DataType.Password), Compare(nameof(NewPassword), ErrorMessage = "The two passwords do not match."), Display(Name = "Confirm new password")]
        public string ConfirmPassword { get; set; } = "";
    }
}
