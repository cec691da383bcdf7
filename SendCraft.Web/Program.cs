using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;
using SendCraft.Web.Pages.Account;

var builder = WebApplication.CreateBuilder(ResetUserCommand.HostArgs(args));
if (builder.TryAddSendCraft() is { } exitCode) return exitCode; // the reason is on stderr, one line

var app = builder.Build();
// Owner recovery on the server (docs/deploy.md): same configuration and database, no web host.
if (ResetUserCommand.IsRequested(args)) return await ResetUserCommand.RunAsync(app, args);
await app.Services.MigrateSendCraftDatabaseAsync();
await app.Services.CheckDataProtectionKeysAsync();
app.UseSendCraft();
app.Run();
return 0;

// Visible to WebApplicationFactory<Program> in the tests.
public partial class Program;
