using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace SendCraft.Web.Api;

/// <summary>
/// The OpenAPI 3.1 document of /api/v1 at /openapi/v1.json (Microsoft.AspNetCore.OpenApi), with the bearer scheme,
/// each operation's scope, and the examples of <see cref="ApiExamples"/> (the tests run them against the app), and
/// the Scalar reference at /api/docs.
/// </summary>
public static class ApiOpenApi
{
    public const string DocsPath = "/api/docs";
    public const string DocumentPath = "/openapi/v1.json";
    private const string SchemeName = "bearer";

    public static IServiceCollection AddSendCraftOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, context, ct) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "SendCraft API",
                    Version = "v1",
                    Description = "The transactional REST API of SendCraft. Authenticate with an API key of your workspace " +
                                  "(Authorization: Bearer sc_live_…). Errors are RFC 9457 problem details. See docs/api.md.",
                };
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key from the API keys page: sc_live_… (sends) or sc_test_… (sandbox: logged, never sent).",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] }];
                document.Tags = new HashSet<OpenApiTag>
                {
                    new() { Name = "Messages", Description = "Transactional mail: send, read, cancel." },
                    new() { Name = "Contacts", Description = "Contacts (search, upsert by email, attributes) and suppressions." },
                    new() { Name = "Lists", Description = "Lists and their members (one at a time, or up to 1000 by id or email)." },
                    new() { Name = "Campaigns", Description = "Campaign drafts, their progress, and send, schedule, pause, resume, cancel." },
                    new() { Name = "Catalog", Description = "Templates and sending domains." },
                };
                return Task.CompletedTask;
            });
            // Problem details carry extension members (errors, reason, required_scope, retry_after): RFC 9457 §3.2.
            o.AddSchemaTransformer((schema, context, ct) =>
            {
                if (typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(context.JsonTypeInfo.Type))
                {
                    schema.AdditionalPropertiesAllowed = true;
                    schema.AdditionalProperties = new OpenApiSchema();
                }
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, ct) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<RequiredScope>().FirstOrDefault() is { } scope)
                {
                    var name = ApiScopeNames.NameOf(scope.Scope);
                    operation.Description = (operation.Description is null ? "" : operation.Description + "\n\n") + $"Scope: `{name}` (or `admin`).";
                }
                // POSTs and PATCHes with a body take an Idempotency-Key, and the body-less POSTs marked so (the campaign actions).
                if ((context.Description.HttpMethod is "POST" or "PATCH" && operation.RequestBody is not null)
                    || metadata.OfType<AcceptsIdempotencyKey>().Any())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = Idempotency.Header,
                        In = ParameterLocation.Header,
                        Required = false,
                        Description = "Makes a retry safe: the same key and body within 24 h returns the first answer and does nothing again.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
                    });
                }
                var example = operation.OperationId is { } id ? ApiExamples.ForOperation(id) : null;
                if (example?.Request is { } request && operation.RequestBody?.Content is { } content)
                    foreach (var media in content.Values) media.Example = JsonNode.Parse(request);
                foreach (var (status, response) in operation.Responses ?? [])
                {
                    if (response.Content is null) continue;
                    var json = status.StartsWith('2') ? example?.Response : ApiExamples.Problem(int.Parse(status));
                    if (json is null) continue;
                    foreach (var media in response.Content.Values) media.Example = JsonNode.Parse(json);
                }
                return Task.CompletedTask;
            });
        });

    public static IEndpointRouteBuilder MapSendCraftOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        app.MapScalarApiReference(DocsPath, o => o.WithTitle("SendCraft API").WithOpenApiRoutePattern(DocumentPath).DisableDefaultFonts()).AllowAnonymous();
        return app;
    }
}
