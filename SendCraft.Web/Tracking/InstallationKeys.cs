using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;

namespace SendCraft.Web.Tracking;

/// <summary>
/// The installation's shared keys, loaded once at start (created by whichever instance starts first; the others read
/// the same row), so every instance signs and checks tokens alike and a token survives a restart.
/// </summary>
public sealed class InstallationKeys
{
    private byte[]? _tokenKey;

    public byte[] TokenKey => _tokenKey ?? throw new InvalidOperationException("Installation keys are loaded when the host starts.");

    internal const string TokenKeyName = "message-tokens";

    internal async Task LoadAsync(SendCraftDbContext db, SecretProtector protector, ILogger log, CancellationToken ct)
    {
        var stored = await db.InstallationSecrets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == TokenKeyName, ct);
        if (stored is null)
        {
            db.InstallationSecrets.Add(new InstallationSecret
            {
                Name = TokenKeyName,
                ValueProtected = protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another instance created it at the same moment: theirs is the one everybody uses.
            }
            db.ChangeTracker.Clear();
            stored = await db.InstallationSecrets.AsNoTracking().FirstAsync(s => s.Name == TokenKeyName, ct);
        }
        try
        {
            _tokenKey = Convert.FromBase64String(protector.Unprotect(stored.ValueProtected));
        }
        catch (SecretUnreadableException)
        {
            // The Data Protection certificate is not the one the key was protected with (the start-up check and the pages
            // say so). The app still starts so the operator can see that and fix it; meanwhile tokens are signed with a
            // key of this process only. The stored key is kept: with the right certificate back, earlier links work again.
            _tokenKey = RandomNumberGenerator.GetBytes(32);
            log.LogError("The installation's token key cannot be decrypted with this Data Protection certificate: tracking, unsubscribe and " +
                         "bounce links in mail sent until the right certificate is restored will stop working after a restart, and earlier ones do not work now.");
        }
    }
}

/// <summary>Loads <see cref="InstallationKeys"/> before the app serves anything or sends any mail.</summary>
internal sealed class InstallationKeysLoader(IServiceScopeFactory scopes, InstallationKeys keys, ILogger<InstallationKeys> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await keys.LoadAsync(
            scope.ServiceProvider.GetRequiredService<SendCraftDbContext>(),
            scope.ServiceProvider.GetRequiredService<SecretProtector>(),
            log,
            cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class TrackingSetup
{
    public static IServiceCollection AddSendCraftTracking(this IServiceCollection services)
    {
        services.AddSingleton<InstallationKeys>();
        services.AddSingleton<MessageTokens>();
        services.AddHostedService<InstallationKeysLoader>();
        services.AddOptions<TrackingOptions>().BindConfiguration(TrackingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TrackedLinks>();
        services.AddSingleton<MessageTracking>();
        services.AddSingleton<TrackingHits>();
        services.AddHostedService<TrackingEventWriter>();
        return services;
    }
}
