using Microsoft.AspNetCore.Identity;

namespace SendCraft.Web.Pages.Account;

/// <summary>Puts an Identity error next to the form field it is about, so the message appears where the user looks.</summary>
public static class IdentityErrorField
{
    public static string For(IdentityError error, string prefix, string passwordField = "Password") => error.Code switch
    {
        _ when error.Code.StartsWith("Password", StringComparison.Ordinal) => $"{prefix}.{passwordField}",
        "DuplicateEmail" or "InvalidEmail" or "DuplicateUserName" or "InvalidUserName" => $"{prefix}.Email",
        _ => "",
    };
}
