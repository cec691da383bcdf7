using SendCraft.Web.Infrastructure;
using SendCraft.Web.Pages.Account;

var builder = WebApplication.CreateBuilder(ResetUserCommand.HostArgs(args));
if (builder.TryAddSendCraft() is { } exitCode) return exitCode; // the reason is on stderr, one line

var app = builder.Build();
// Owner recovery on the server (docs/deploy.md): same configuration and database, no web host.
if (ResetUserCommand.IsRequested(args)) return await ResetUserCommand.RunAsync(app, args);
if (await app.PrepareDatabaseOrExplainAsync() is { } failed) return failed; // one line on stderr
await app.Services.CheckDataProtectionKeysAsync();
app.UseSendCraft();
return await app.RunOrExplainAsync();

// Visible to WebApplicationFactory<Program> in the tests.
public partial class Program;
