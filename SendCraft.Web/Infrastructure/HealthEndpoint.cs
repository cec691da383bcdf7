using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Infrastructure;

/// <summary>GET /healthz for load balancers and systemd checks: 200 when the database answers, 503 when it does not.</summary>
public static class HealthEndpoint
{
    public static void MapHealthEndpoint(this IEndpointRouteBuilder app) =>
        app.MapGet("/healthz", async (SendCraftDbContext db, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var provider = db.Database.IsSqlite() ? "Sqlite" : "MySql";
            try
            {
                // A real query against our schema, not just an open socket: a reachable server with a missing
                // or dropped database is unhealthy too.
                await db.Workspaces.AnyAsync(ct);
                return Results.Json(new { status = "Healthy", database = "ok", provider });
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                loggers.CreateLogger("SendCraft.Health").LogWarning(ex, "Health check: the database did not answer");
                return Results.Json(new { status = "Unhealthy", database = "unreachable", provider }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous();
}
