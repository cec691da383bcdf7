using SendCraft.Web.Data;
using SendCraft.Web.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.AddSendCraft();

var app = builder.Build();
await app.Services.MigrateSendCraftDatabaseAsync();
app.UseSendCraft();
app.Run();

// Visible to WebApplicationFactory<Program> in the tests.
public partial class Program;
