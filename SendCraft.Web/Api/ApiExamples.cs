namespace SendCraft.Web.Api;

/// <summary>
/// The examples in the OpenAPI document, per operation. ApiExamplesTests sends each request example to the app and
/// checks the answer has the documented status and shape, so the documentation cannot drift from the behaviour.
/// Addresses use the workspace the tests (and the quick start) set up: an SMTP account sending as news@example.com.
/// </summary>
public static class ApiExamples
{
    public sealed record Example(string? Request, string? Response);

    public static Example? ForOperation(string operationId) => operationId switch
    {
        "SendMessage" => new(SendRequest, SendResponse),
        "SendBatch" => new(BatchRequestJson, BatchResponseJson),
        "GetMessage" => new(null, MessageJson),
        "ListMessages" => new(null, $$"""{"data":[{{MessageJson}}],"next_cursor":"bToxMjM0"}"""),
        "CancelMessage" => new(null, MessageJson.Replace("\"queued\"", "\"cancelled\"")),
        "ListTemplates" => new(null, $"[{TemplateSummaryJson}]"),
        "GetTemplate" => new(null, TemplateJson),
        "RenderTemplate" => new(RenderRequestJson, RenderedJson),
        "ListDomains" => new(null, $"[{DomainJson.Replace(DomainRecords, "[]")}]"),
        "GetDomain" => new(null, DomainJson),
        "CheckDomain" => new(null, DomainJson),
        "ListSuppressions" => new(null, $$"""{"data":[{{SuppressionJson}}],"next_cursor":null}"""),
        "AddSuppression" => new(SuppressionRequestJson, SuppressionJson),
        _ => null,
    };

    public const string SendRequest = """
        {
          "from": { "address": "news@example.com", "name": "Example Shop" },
          "to": [ { "address": "ada@example.org", "name": "Ada Lovelace" } ],
          "subject": "Your order 1042 has shipped",
          "html": "<p>Hello Ada, your order is on its way.</p>",
          "text": "Hello Ada, your order is on its way.",
          "headers": { "X-Order": "1042" },
          "tags": [ "order", "shipping" ],
          "metadata": { "order_id": 1042 }
        }
        """;

    public const string SendResponse = """
        { "messages": [ { "id": 1234, "recipient": "ada@example.org", "status": "queued", "message_id": "3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b@example.com" } ], "sandbox": false }
        """;

    public const string BatchRequestJson = """
        {
          "messages": [
            { "from": { "address": "news@example.com" }, "to": [ { "address": "ada@example.org" } ], "subject": "Receipt 1", "text": "Thank you." },
            { "from": { "address": "news@example.com" }, "to": [ { "address": "not an address" } ], "subject": "Receipt 2", "text": "Thank you." }
          ]
        }
        """;

    public const string BatchResponseJson = """
        {
          "queued": 1, "rejected": 1, "sandbox": false,
          "results": [
            { "index": 0, "status": "queued", "messages": [ { "id": 1235, "recipient": "ada@example.org", "status": "queued", "message_id": "8d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a@example.com" } ], "errors": null },
            { "index": 1, "status": "rejected", "messages": null, "errors": { "messages[1].to[0].address": [ "\"not an address\" is not a valid email address." ] } }
          ]
        }
        """;

    public const string MessageJson = """
        {
          "id": 1234, "status": "queued", "recipient": "ada@example.org",
          "message_id": "3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b@example.com", "from": "news@example.com",
          "subject": "Your order 1042 has shipped", "created_at": "2026-12-02T10:00:00Z", "due_at": "2026-12-02T10:00:00Z",
          "sent_at": null, "attempts": 0, "last_smtp_code": null, "last_smtp_response": null, "tags": [ "order", "shipping" ], "metadata": { "order_id": 1042 }, "events": []
        }
        """;

    public const string TemplateSummaryJson = """
        { "id": 7, "name": "Order shipped", "type": "Order", "subject": "Order {{ order.id }} has shipped", "is_active": true, "updated_at": "2026-12-01T09:30:00Z" }
        """;

    public const string TemplateJson = """
        {
          "id": 7, "name": "Order shipped", "type": "Order", "subject": "Order {{ order.id }} has shipped",
          "html": "<p>Hello {{ first_name }}, order {{ order.id }} is on its way.</p>", "text": "",
          "is_active": true, "version": 3, "updated_at": "2026-12-01T09:30:00Z"
        }
        """;

    public const string RenderRequestJson = """{ "variables": { "first_name": "Ada", "order": { "id": 1042 } } }""";

    public const string RenderedJson = """
        { "subject": "Order 1042 has shipped", "html": "<p>Hello Ada, order 1042 is on its way.</p>", "text": "Hello Ada, order 1042 is on its way." }
        """;

    private const string DomainRecords = """[ { "type": "TXT", "name": "sc1._domainkey.example.com", "value": "v=DKIM1; k=rsa; p=MIIBIjANBgkqh…" }, { "type": "TXT", "name": "example.com", "value": "v=spf1 a:smtp.example.net ~all" }, { "type": "TXT", "name": "_dmarc.example.com", "value": "v=DMARC1; p=none" } ]""";

    public const string DomainJson = """
        {
          "id": 3, "name": "example.com", "is_active": true, "dkim_selector": "sc1",
          "records": [ { "type": "TXT", "name": "sc1._domainkey.example.com", "value": "v=DKIM1; k=rsa; p=MIIBIjANBgkqh…" }, { "type": "TXT", "name": "example.com", "value": "v=spf1 a:smtp.example.net ~all" }, { "type": "TXT", "name": "_dmarc.example.com", "value": "v=DMARC1; p=none" } ],
          "dns_checked_at": "2026-12-02T10:00:00Z",
          "dns_check": [ { "ok": true, "text": "DKIM: the published key matches." } ]
        }
        """;

    public const string SuppressionRequestJson = """{ "email": "ada@example.org", "note": "Asked by phone not to be mailed" }""";

    public const string SuppressionJson = """
        { "id": 12, "email": "ada@example.org", "reason": "manual", "note": "Asked by phone not to be mailed", "created_at": "2026-12-02T10:00:00Z" }
        """;

    public static string? Problem(int status) => status switch
    {
        400 => """{"type":"about:blank","title":"Bad Request","status":400,"detail":"See errors: each names a field and what is wrong with it.","errors":{"to[0].address":["\"ada@\" is not a valid email address."]}}""",
        401 => """{"type":"about:blank","title":"Unauthorized","status":401,"detail":"The API key has been revoked.","reason":"revoked"}""",
        403 => """{"type":"about:blank","title":"Forbidden","status":403,"detail":"This API key does not have the 'send' scope this operation needs.","required_scope":"send"}""",
        404 => """{"type":"about:blank","title":"Not Found","status":404,"detail":"No message with this id in this workspace."}""",
        409 => """{"type":"about:blank","title":"Conflict","status":409,"detail":"Only a queued or deferred message can be cancelled; this one is sent.","message_status":"sent"}""",
        413 => """{"type":"about:blank","title":"Payload Too Large","status":413,"detail":"The request body is larger than the limit of 31,457,280 bytes."}""",
        415 => """{"type":"about:blank","title":"Unsupported Media Type","status":415,"detail":"Send the body as JSON with 'Content-Type: application/json'."}""",
        422 => """{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"This Idempotency-Key was already used with a different request. Use a new key for a new request.","idempotency_key":"order-1042-shipped"}""",
        429 => """{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"This API key may make 50 requests per second (bursts up to 100); retry after 1 s.","retry_after":1}""",
        500 => """{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"Something went wrong on our side."}""",
        _ => null,
    };
}
