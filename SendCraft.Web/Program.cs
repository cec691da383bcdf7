using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
if (builder.TryAddSendCraft() is { } exitCode) return exitCode; // the reason is on stderr, one line

var app = builder.Build();
await app.Services.MigrateSendCraftDatabaseAsync();
await app.Services.CheckDataProtectionKeysAsync();
app.UseSendCraft();
app.Run();
return 0;

// Visible to WebApplicationFactory<Program> in the tests.
public partial class Program;
