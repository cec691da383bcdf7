using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SendCraft.Web.Data;
using SendCraft.Web.Sending;

namespace SendCraft.Web.Api;

/// <summary>/api/v1/messages: send one, send a batch, read one, list with filters and a keyset cursor, cancel.</summary>
public static class MessagesEndpoints
{
    public static RouteGroupBuilder MapMessages(this RouteGroupBuilder api)
    {
        var messages = api.MapGroup("/messages").WithTags("Messages");

        messages.MapPost("", SendAsync).RequireScope(ApiScopes.Send)
            .WithName("SendMessage").WithSummary("Send a message")
            .WithDescription("Queues one message (one outbox row per recipient) and answers 202 once the rows are committed. " +
                             "Sandbox keys (sc_test_) get the same answer; their messages are logged with status sandboxed and never sent.")
            .Accepts<SendMessageRequest>("application/json")
            .Produces<SendMessageResponse>(StatusCodes.Status202Accepted)
            .ApiErrors(400, 401, 403, 413, 415, 422, 429);

        messages.MapPost("/batch", BatchAsync).RequireScope(ApiScopes.Send)
            .WithName("SendBatch").WithSummary("Send up to 500 messages")
            .WithDescription("Each message is validated on its own: the valid ones are queued together in one transaction, " +
                             "the others are reported by index with their errors. 202 when at least one was queued, 400 when none was.")
            .Accepts<BatchRequest>("application/json")
            .Produces<BatchResponse>(StatusCodes.Status202Accepted)
            .ApiErrors(400, 401, 403, 413, 415, 422, 429);

        messages.MapGet("/{id:long}", GetAsync).RequireScope(ApiScopes.MessagesRead)
            .WithName("GetMessage").WithSummary("Get a message with its delivery attempts")
            .Produces<MessageView>()
            .ApiErrors(401, 403, 404, 429);

        messages.MapGet("", ListAsync).RequireScope(ApiScopes.MessagesRead)
            .WithName("ListMessages").WithSummary("List messages, newest first")
            .WithDescription("Filters: status, recipient, tag. Pages of up to 100 (limit, default 50); pass next_cursor as cursor for the next page.")
            .Produces<MessageList>()
            .ApiErrors(400, 401, 403, 429);

        messages.MapDelete("/{id:long}", CancelAsync).RequireScope(ApiScopes.Send)
            .WithName("CancelMessage").WithSummary("Cancel a message that is still queued")
            .Produces<MessageView>()
            .ApiErrors(401, 403, 404, 409, 429);
        return api;
    }

    private static async Task<IResult> SendAsync(HttpContext http, ApiMessageWriter writer, Idempotency idempotency)
    {
        var body = await ApiJson.ReadAsync<SendMessageRequest>(http);
        if (body.Problem is not null) return body.Problem;
        var key = http.ApiKey();
        return await idempotency.RunAsync(http, body.Raw, async ct =>
        {
            var prepared = (await writer.PrepareAsync([body.Value!], key, ct))[0];
            if (prepared.Errors is not null) return ApiAnswer.Fail(ApiProblems.Validation(prepared.Errors));
            await writer.SaveAsync([prepared], key, ct);
            return new ApiAnswer(StatusCodes.Status202Accepted, new SendMessageResponse(prepared.Rows.Select(Queued).ToList(), key.IsSandbox));
        }, writer.Notify);
    }

    private static async Task<IResult> BatchAsync(HttpContext http, ApiMessageWriter writer, Idempotency idempotency, IOptions<ApiOptions> options)
    {
        var body = await ApiJson.ReadAsync<BatchRequest>(http);
        if (body.Problem is not null) return body.Problem;
        var items = body.Value!.Messages;
        var max = options.Value.MaxBatch;
        if (items is null || items.Count == 0)
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["messages"] = ["Required: an array of 1 to " + max + " messages."] });
        if (items.Count > max)
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["messages"] = [$"At most {max} messages per batch; this one has {items.Count}."] });
        if (items.Any(i => i is null))
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["messages"] = ["Every item must be a message object."] });

        var key = http.ApiKey();
        return await idempotency.RunAsync(http, body.Raw, async ct =>
        {
            var prepared = await writer.PrepareAsync(items, key, ct);
            var valid = prepared.Where(p => p.Errors is null).ToList();
            var results = prepared.Select((p, i) => p.Errors is null
                ? new BatchItemResult(i, "queued", null, null)
                : new BatchItemResult(i, "rejected", null, p.Errors.ToDictionary(e => $"messages[{i}].{e.Key}", e => e.Value))).ToList();
            if (valid.Count == 0)
            {
                return ApiAnswer.Fail(ApiProblems.Result(StatusCodes.Status400BadRequest, "No message of the batch is valid; nothing was queued.",
                    new Dictionary<string, object?> { ["errors"] = results.SelectMany(r => r.Errors!).ToDictionary(e => e.Key, e => e.Value), ["results"] = results }));
            }
            await writer.SaveAsync(valid, key, ct);
            results = prepared.Select((p, i) => p.Errors is null
                ? new BatchItemResult(i, "queued", p.Rows.Select(Queued).ToList(), null)
                : results[i]).ToList();
            return new ApiAnswer(StatusCodes.Status202Accepted, new BatchResponse(valid.Count, prepared.Count - valid.Count, results, key.IsSandbox));
        }, writer.Notify);
    }

    private static async Task<IResult> GetAsync(long id, SendCraftDbContext db, CancellationToken ct)
    {
        var view = await Views(db.OutboundMessages.AsNoTracking().Where(m => m.Id == id), withEvents: true).FirstOrDefaultAsync(ct);
        return view is null ? ApiProblems.NotFound("message") : Results.Json(view.ToView(), ApiJson.Options);
    }

    private static async Task<IResult> ListAsync(HttpContext http, SendCraftDbContext db, string? status, string? recipient, string? tag,
        string? cursor, string? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var take = 50;
        if (limit is not null && (!int.TryParse(limit, out take) || take is < 1 or > 100)) errors["limit"] = ["An integer between 1 and 100."];
        MessageStatus? wanted = null;
        if (status is not null)
        {
            var match = Enum.GetValues<MessageStatus>().Where(s => MessageStatusNames.Of(s) == status).ToList();
            if (match.Count == 0) errors["status"] = ["One of: " + string.Join(", ", Enum.GetValues<MessageStatus>().Select(MessageStatusNames.Of)) + "."];
            else wanted = match[0];
        }
        long? before = null;
        if (cursor is not null)
        {
            if (ApiCursor.Decode('m', cursor) is { } c) before = c;
            else errors["cursor"] = ["Not a cursor from next_cursor."];
        }
        if (tag is not null && !ApiMessageWriter.Tag().IsMatch(tag)) errors["tag"] = ["1 to 64 letters, digits, '_', '-', '.' or ':'."];
        if (errors.Count > 0) return ApiProblems.Validation(errors);

        // Keyset on Id, newest first: served by the (WorkspaceId, Id), (WorkspaceId, Status, Id) and (WorkspaceId, Recipient, Id) indexes.
        var query = db.OutboundMessages.AsNoTracking();
        if (wanted is { } s) query = query.Where(m => m.Status == s);
        if (!string.IsNullOrWhiteSpace(recipient)) { var r = recipient.Trim().ToLowerInvariant(); query = query.Where(m => m.Recipient == r); }
        if (tag is not null) { var quoted = JsonSerializer.Serialize(tag); query = query.Where(m => m.Content!.Tags != null && m.Content.Tags.Contains(quoted)); }
        if (before is { } b) query = query.Where(m => m.Id < b);
        var rows = await Views(query.OrderByDescending(m => m.Id).Take(take + 1), withEvents: false).ToListAsync(ct);
        var next = rows.Count > take ? ApiCursor.Encode('m', rows[take - 1].Id) : null;
        return Results.Json(new MessageList(rows.Take(take).Select(v => v.ToView()).ToList(), next), ApiJson.Options);
    }

    private static async Task<IResult> CancelAsync(long id, SendCraftDbContext db, Outbox outbox, CancellationToken ct)
    {
        if (!await db.OutboundMessages.AnyAsync(m => m.Id == id, ct)) return ApiProblems.NotFound("message");
        if (!await outbox.CancelAsync(id, ct))
        {
            var status = await db.OutboundMessages.Where(m => m.Id == id).Select(m => m.Status).FirstAsync(ct);
            return ApiProblems.Result(StatusCodes.Status409Conflict,
                $"Only a queued or deferred message can be cancelled; this one is {MessageStatusNames.Of(status)}.",
                new Dictionary<string, object?> { ["message_status"] = MessageStatusNames.Of(status) });
        }
        var view = await Views(db.OutboundMessages.AsNoTracking().Where(m => m.Id == id), withEvents: true).FirstAsync(ct);
        return Results.Json(view.ToView(), ApiJson.Options);
    }

    private static QueuedMessage Queued(OutboundMessage m) => new(m.Id, m.Recipient, MessageStatusNames.Of(m.Status), m.MessageId);

    private sealed record Row(long Id, MessageStatus Status, string Recipient, string MessageId, string FromAddress, string Subject,
        DateTime CreatedAt, DateTime DueAt, DateTime? SentAt, int Attempts, int? LastSmtpCode, string? LastSmtpResponse, string? Tags,
        string? Metadata, List<MessageAttemptView>? Events)
    {
        public MessageView ToView() => new(Id, MessageStatusNames.Of(Status), Recipient, MessageId, FromAddress, Subject, CreatedAt, DueAt, SentAt,
            Attempts, LastSmtpCode, LastSmtpResponse,
            Tags is null ? [] : JsonSerializer.Deserialize<List<string>>(Tags) ?? [],
            Metadata is null ? null : JsonDocument.Parse(Metadata).RootElement.Clone(),
            Events?.Select(e => e with { Outcome = e.Outcome.ToLowerInvariant() }).ToList());
    }

    private static IQueryable<Row> Views(IQueryable<OutboundMessage> query, bool withEvents) => withEvents
        ? query.Select(m => new Row(m.Id, m.Status, m.Recipient, m.MessageId, m.Content!.FromAddress, m.Content.Subject, m.CreatedAt, m.DueAt,
            m.SentAt, m.Attempts, m.LastSmtpCode, m.LastSmtpResponse, m.Content.Tags, m.Content.Metadata,
            m.AttemptLog.OrderBy(a => a.Id).Select(a => new MessageAttemptView(a.StartedAt, a.FinishedAt, a.Outcome.ToString(), a.SmtpCode, a.Response)).ToList()))
        : query.Select(m => new Row(m.Id, m.Status, m.Recipient, m.MessageId, m.Content!.FromAddress, m.Content.Subject, m.CreatedAt, m.DueAt,
            m.SentAt, m.Attempts, m.LastSmtpCode, m.LastSmtpResponse, m.Content.Tags, m.Content.Metadata, null));
}
