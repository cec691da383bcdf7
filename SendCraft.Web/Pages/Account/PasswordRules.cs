using Microsoft.AspNetCore.Identity;

namespace SendCraft.Web.Pages.Account;

/// <summary>
/// The password policy, in one place for Identity and for the sentence shown under every password field,
/// so the text people read can never drift from the rule that is enforced.
/// </summary>
public static class PasswordRules
{
    public const int MinimumLength = 10;
    public const string Description = "At least 10 characters, including at least one digit. A passphrase of a few words is a good choice.";

    public static void Apply(PasswordOptions o)
    {
        o.RequiredLength = MinimumLength;
        o.RequireDigit = true;
        o.RequireLowercase = false;
        o.RequireUppercase = false;
        o.RequireNonAlphanumeric = false;
        o.RequiredUniqueChars = 1;
    }
}
