using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using SendCraft.Web.Data;

namespace SendCraft.Web.Pages.Account;

/// <summary>
/// <c>SendCraft.Web reset-user &lt;email&gt; [--password-stdin]</c>: recovers an account whose owner lost both the
/// authenticator and the recovery codes, on the server and without editing the database. It sets a new password
/// (printed, or read from the first line of stdin), turns two-factor authentication off, resets the authenticator key
/// and removes the recovery codes, clears a lockout, and signs the user out everywhere (new security stamp).
/// It runs with the app's configuration and database and exits before the web host starts.
/// </summary>
public static class ResetUserCommand
{
    public const string Name = "reset-user";
    private const string PasswordStdin = "--password-stdin";

    // Identity's UserStoreBase keeps the recovery codes as this token.
    private const string IdentityStoreProvider = "[AspNetUserStore]";
    private const string RecoveryCodesToken = "RecoveryCodes";

    public static bool IsRequested(string[] args) => args.Contains(Name);

    /// <summary>The arguments the host should see: the command's own ones removed (the rest, e.g. --contentRoot, stay).</summary>
    public static string[] HostArgs(string[] args)
    {
        var at = Array.IndexOf(args, Name);
        if (at < 0) return args;
        var end = at + 1 < args.Length && !args[at + 1].StartsWith('-') ? at + 2 : at + 1; // the command and its email
        return [.. args[..at], .. args[end..].Where(a => a != PasswordStdin)];
    }

    private static string? EmailArgument(string[] args)
    {
        var at = Array.IndexOf(args, Name);
        return at + 1 < args.Length && !args[at + 1].StartsWith('-') ? args[at + 1] : null;
    }

    /// <summary>Runs the command and disposes <paramref name="app"/> (which flushes the log) before returning the exit code.</summary>
    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        await using (app) return await RunAsync(app.Services, args);
    }

    private static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var email = EmailArgument(args);
        if (email is null)
        {
            await Console.Error.WriteLineAsync($"Usage: {Name} <email> [{PasswordStdin}]");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var log = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ResetUserCommand));

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            await Console.Error.WriteLineAsync($"{Name}: no user has the email address {email}; nothing was changed.");
            return 1;
        }

        var fromStdin = args.Contains(PasswordStdin);
        var password = fromStdin ? (Console.In.ReadLine() ?? "").TrimEnd('\r') : NewPassword();
        var problems = new List<string>();
        foreach (var validator in users.PasswordValidators)
            problems.AddRange((await validator.ValidateAsync(users, user, password)).Errors.Select(e => e.Description));
        if (problems.Count > 0)
        {
            await Console.Error.WriteLineAsync($"{Name}: the new password is refused: {string.Join(" ", problems)} Nothing was changed.");
            return 1;
        }

        Check(await users.RemovePasswordAsync(user));
        Check(await users.AddPasswordAsync(user, password));
        Check(await users.SetTwoFactorEnabledAsync(user, false));
        Check(await users.ResetAuthenticatorKeyAsync(user)); // also a new security stamp: existing sessions end
        Check(await users.RemoveAuthenticationTokenAsync(user, IdentityStoreProvider, RecoveryCodesToken));
        Check(await OneTimeAuthenticatorTokenProvider.ForgetAsync(users, user));
        Check(await users.SetLockoutEndDateAsync(user, null));
        Check(await users.ResetAccessFailedCountAsync(user));

        log.LogWarning("User {Email} was reset from the command line ({Command}): new password, two-factor authentication off, authenticator key and recovery codes reset, lockout cleared",
            user.Email, Name);
        Console.WriteLine(fromStdin
            ? $"{user.Email}: password set from stdin; two-factor authentication is off."
            : $"{user.Email}: new password: {password}  (two-factor authentication is off; sign in, change the password on the Profile page and turn two-factor on again)");
        return 0;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"{Name} failed: " + string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>Four groups of four from an alphabet without look-alikes (0/o, 1/l), with at least one digit (the password rules).</summary>
    private static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        while (true)
        {
            var raw = RandomNumberGenerator.GetString(alphabet, 16);
            if (raw.Any(char.IsAsciiDigit)) return string.Join('-', raw.Chunk(4).Select(c => new string(c)));
        }
    }
}
