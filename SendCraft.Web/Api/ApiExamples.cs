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
        "ListContacts" => new(null, $$"""{"data":[{{ContactJson}}],"next_cursor":"YzozOQ"}"""),
        "GetContact" => new(null, ContactJson),
        "CreateContact" => new(ContactRequestJson, ContactJson),
        "UpsertContact" => new(UpsertRequestJson, UpsertedJson),
        "UpdateContact" => new(ContactPatchJson, PatchedContactJson),
        "ListLists" => new(null, $$"""{"data":[{{ListJson}}],"next_cursor":null}"""),
        "GetList" => new(null, ListJson),
        "CreateList" => new(ListRequestJson, ListJson),
        "UpdateList" => new(ListPatchJson, ListJson.Replace("Monthly news", "Monthly news and offers")),
        "AddListMember" => new(null, MembershipJson),
        "AddListMembers" => new(MembersRequestJson, MembersResponseJson),
        "ListCampaigns" => new(null, $$"""{"data":[{{CampaignSummaryJson}}],"next_cursor":null}"""),
        "GetCampaign" => new(null, CampaignJson),
        "CreateCampaign" => new(CampaignRequestJson, DraftCampaignJson),
        "UpdateCampaign" => new(CampaignPatchJson, DraftCampaignJson),
        "SendCampaign" => new(null, CampaignJson.Replace("\"status\": \"sending\"", "\"status\": \"scheduled\"")),
        "ScheduleCampaign" => new(ScheduleRequestJson, DraftCampaignJson.Replace("\"status\": \"draft\"", "\"status\": \"scheduled\"")
            .Replace("\"scheduled_at\": null", "\"scheduled_at\": \"2026-12-24T08:00:00Z\"")),
        "UnscheduleCampaign" => new(null, DraftCampaignJson),
        "PauseCampaign" => new(null, CampaignJson.Replace("\"status\": \"sending\"", "\"status\": \"paused\"")),
        "ResumeCampaign" => new(null, CampaignJson),
        "CancelCampaign" => new(null, CampaignJson.Replace("\"status\": \"sending\"", "\"status\": \"cancelled\"")),
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

    public const string ContactRequestJson = """
        { "email": "ada@example.org", "name": "Ada Lovelace", "attributes": { "city": "London", "plan": "pro" }, "list_ids": [ 4 ] }
        """;

    public const string ContactJson = """
        {
          "id": 42, "email": "ada@example.org", "name": "Ada Lovelace", "status": "active",
          "attributes": { "city": "London", "plan": "pro" }, "list_ids": [ 4 ],
          "created_at": "2026-12-02T10:00:00Z", "updated_at": "2026-12-02T10:00:00Z"
        }
        """;

    public const string UpsertRequestJson = """
        { "email": "ada@example.org", "attributes": { "plan": "enterprise", "city": null } }
        """;

    public const string UpsertedJson = """
        {
          "id": 42, "email": "ada@example.org", "name": "Ada Lovelace", "status": "active",
          "attributes": { "plan": "enterprise" }, "list_ids": [ 4 ],
          "created_at": "2026-12-02T10:00:00Z", "updated_at": "2026-12-02T11:00:00Z"
        }
        """;

    public const string ContactPatchJson = """{ "name": "Ada King", "status": "unsubscribed", "attributes": { "plan": null, "lang": "en" } }""";

    public const string PatchedContactJson = """
        {
          "id": 42, "email": "ada@example.org", "name": "Ada King", "status": "unsubscribed",
          "attributes": { "lang": "en" }, "list_ids": [ 4 ],
          "created_at": "2026-12-02T10:00:00Z", "updated_at": "2026-12-02T12:00:00Z"
        }
        """;

    public const string ListRequestJson = """{ "name": "Newsletter", "description": "Monthly news" }""";

    public const string ListPatchJson = """{ "description": "Monthly news and offers" }""";

    public const string ListJson = """
        { "id": 4, "name": "Newsletter", "description": "Monthly news", "member_count": 1250, "created_at": "2026-11-20T09:00:00Z" }
        """;

    public const string MembershipJson = """{ "list_id": 4, "contact_id": 42, "added": true, "member_count": 1251 }""";

    public const string MembersRequestJson = """
        { "contact_ids": [ 42, 43 ], "emails": [ "grace@example.org", "not an address" ] }
        """;

    public const string MembersResponseJson = """
        {
          "added": 1, "created": 1, "already_members": 1, "rejected": 1, "member_count": 1253,
          "results": [
            { "item": "contact_ids[0]", "contact_id": 42, "status": "already_member", "error": null },
            { "item": "contact_ids[1]", "contact_id": 43, "status": "added", "error": null },
            { "item": "emails[0]", "contact_id": 44, "status": "created", "error": null },
            { "item": "emails[1]", "contact_id": null, "status": "rejected", "error": "'not an address' is not a valid email address." }
          ]
        }
        """;

    public const string CampaignRequestJson = """
        {
          "name": "December news",
          "subject": "Hello {{ first_name | default: \"there\" }}",
          "html": "<p>Hi {{ first_name }}, here is what is new in {{ city | default: \"your town\" }}.</p>",
          "text": "",
          "smtp_account_id": 2,
          "list_ids": [ 4 ],
          "excluded_list_ids": []
        }
        """;

    public const string CampaignPatchJson = """{ "subject": "December news for {{ first_name | default: \"you\" }}", "rate_per_minute": 600 }""";

    public const string ScheduleRequestJson = """{ "send_at": "2026-12-24T08:00:00Z" }""";

    public const string CampaignSummaryJson = """
        {
          "id": 9, "name": "December news", "status": "sending", "subject": "Hello {{ first_name | default: \"there\" }}",
          "scheduled_at": "2026-12-02T10:00:00Z", "created_at": "2026-12-01T16:00:00Z", "started_at": "2026-12-02T10:00:01Z",
          "finished_at": null, "expanded": 1250
        }
        """;

    private const string CampaignContent = """
          "id": 9, "name": "December news", "status_reason": null,
          "subject": "Hello {{ first_name | default: \"there\" }}",
          "html": "<p>Hi {{ first_name }}, here is what is new in {{ city | default: \"your town\" }}.</p>", "text": "",
          "template_id": null, "smtp_account_id": 2, "rate_per_minute": null, "track_opens": true, "track_clicks": true,
          "list_ids": [ 4 ], "excluded_list_ids": [],
        """;

    public const string DraftCampaignJson = "{" + CampaignContent + """
          "status": "draft", "scheduled_at": null, "created_at": "2026-12-01T16:00:00Z", "updated_at": "2026-12-01T16:00:00Z",
          "started_at": null, "paused_at": null, "finished_at": null,
          "progress": { "total": 0, "expanded": 0, "queued": 0, "sending": 0, "sent": 0, "deferred": 0, "failed": 0, "bounced": 0,
                        "suppressed": 0, "cancelled": 0, "skipped": 0, "per_minute": 0, "eta_seconds": null }
        }
        """;

    public const string CampaignJson = "{" + CampaignContent + """
          "status": "sending", "scheduled_at": "2026-12-02T10:00:00Z", "created_at": "2026-12-01T16:00:00Z", "updated_at": "2026-12-02T10:00:00Z",
          "started_at": "2026-12-02T10:00:01Z", "paused_at": null, "finished_at": null,
          "progress": { "total": 1250, "expanded": 1250, "queued": 640, "sending": 10, "sent": 590, "deferred": 2, "failed": 1, "bounced": 0,
                        "suppressed": 0, "cancelled": 0, "skipped": 7, "per_minute": 590.0, "eta_seconds": 66 }
        }
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
