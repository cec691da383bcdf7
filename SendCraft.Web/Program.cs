using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
if (builder.TryAddSendCraft() is { } exitCode) return exitCode; // the reason is on stderr, one line

var app = builder.Build();
if (await app.PrepareDatabaseOrExplainAsync() is { } failed) return failed; // one line on stderr
await app.Services.CheckDataProtectionKeysAsync();
app.UseSendCraft();
return await app.RunOrExplainAsync();

// Visible to WebApplicationFactory<Program> in the tests.
public partial class Program;
