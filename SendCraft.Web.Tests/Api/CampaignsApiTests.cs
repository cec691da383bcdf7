using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Api;

/// <summary>
/// /api/v1/campaigns through the real app, Quartz and the outbox workers into Postfix's smtp-sink: a draft made and checked
/// through the API runs to sent; pause, resume, cancel, schedule and unschedule go through CampaignControl; a transition
/// the status does not allow is 409 naming it.
/// </summary>
public abstract class CampaignsApiTests(DatabaseKind kind)
{
    private static readonly Dictionary<string, string?> Fast = new()
    {
        ["Sending:WorkersEnabled"] = "true",
        ["Sending:PollInterval"] = "00:00:00.200",
        ["Campaigns:MonitorInterval"] = "00:00:00.300",
        ["Sending:RetryBaseDelay"] = "00:00:00.200",
        ["Sending:RetryMaxDelay"] = "00:00:01",
    };

    private static async Task<JsonNode> OkAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static string Status(JsonNode campaign) => campaign["status"]!.GetValue<string>();

    private static async Task<JsonNode> WaitForAsync(HttpClient api, long id, Func<JsonNode, bool> done, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        JsonNode campaign;
        do
        {
            campaign = await OkAsync(await api.GetAsync($"/api/v1/campaigns/{id}"));
            if (done(campaign)) return campaign;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"Campaign {id} still {Status(campaign)} after {timeoutSeconds} s: {campaign["progress"]!.ToJsonString()}");
    }

    /// <summary>A list of <paramref name="count"/> contacts made through the API; returns its id.</summary>
    private static async Task<long> AudienceAsync(HttpClient api, string name, int count)
    {
        var list = await OkAsync(await api.PostAsync("/api/v1/lists", ApiWorld.Json($$"""{"name":"{{name}}"}""")), HttpStatusCode.Created);
        var listId = list["id"]!.GetValue<long>();
        if (count > 0)
        {
            var emails = string.Join(",", Enumerable.Range(0, count).Select(i => $"\"{name.ToLowerInvariant()}{i}@rcpt.test\""));
            var added = await OkAsync(await api.PostAsync($"/api/v1/lists/{listId}/members", ApiWorld.Json($$"""{"emails":[{{emails}}]}""")));
            Assert.Equal(count, added["member_count"]!.GetValue<int>());
        }
        return listId;
    }

    [Fact]
    public async Task Create_CheckedLikeTheEditor_Send_RunsToSent_ThenTransitionsAre409NamingTheStatus()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var world = await ApiWorld.CreateAsync(kind, Fast, smtpPort: sink.Port);
        using var api = world.Client(await world.CreateKeyAsync("Campaigns", scopes: ["contacts", "campaigns"]));
        var listId = await AudienceAsync(api, "Readers", 6);
        var excludedId = await AudienceAsync(api, "Nobody", 0);
        var template = await world.App.AddTemplateAsync(world.WorkspaceId, "Welcome");

        // Refused as the campaign editor refuses: Liquid errors with line and column, each on its field.
        var bad = await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/campaigns", ApiWorld.Json($$$"""
            {"name":"News","subject":"Hi {{ first_name","html":"<p>ok</p>\n<p>{% if x %}never closed</p>","smtp_account_id":424242,
             "list_ids":[{{{listId}}}],"excluded_list_ids":[{{{listId}}}],"template_id":null,"rate_per_minute":-1}
            """)), 400);
        var errors = bad["errors"]!.AsObject();
        Assert.Contains("line 1, column", errors["subject"]![0]!.GetValue<string>());
        foreach (var field in new[] { "html", "smtp_account_id", "excluded_list_ids", "rate_per_minute" })
            Assert.True(errors.ContainsKey(field), $"no error for {field}: {ApiWorld.Pretty(bad)}");
        await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/campaigns", ApiWorld.Json("""{"name":"x","template_id":424242}""")), 400);
        await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/campaigns", ApiWorld.Json("""{"name":"x","lists":[1]}""")), 400);
        Assert.Equal(0, await world.App.QueryAsync(db => db.Campaigns.IgnoreQueryFilters().CountAsync()));

        // From a template, then changed while it is a draft.
        var draft = await OkAsync(await api.PostAsync("/api/v1/campaigns", ApiWorld.Json(
            $$"""{"template_id":{{template.Id}},"smtp_account_id":{{world.AccountId}},"list_ids":[{{listId}}],"excluded_list_ids":[{{excludedId}}],"track_clicks":false}""")),
            HttpStatusCode.Created);
        var id = draft["id"]!.GetValue<long>();
        // Tracking switches: opens keep the default (on), clicks were turned off; stored as the editor stores them.
        Assert.True(draft["track_opens"]!.GetValue<bool>());
        Assert.False(draft["track_clicks"]!.GetValue<bool>());
        Assert.False(await world.App.QueryAsync(db => db.Campaigns.IgnoreQueryFilters().Where(c => c.Id == id).Select(c => c.TrackClicks).SingleAsync()));
        Assert.Equal("draft", Status(draft));
        Assert.Equal("Welcome", draft["name"]!.GetValue<string>());
        Assert.Equal(template.Subject, draft["subject"]!.GetValue<string>());
        Assert.Equal(template.Id, draft["template_id"]!.GetValue<long>());
        var changed = await OkAsync(await api.PatchAsync($"/api/v1/campaigns/{id}", ApiWorld.Json("""
            {"name":"December news","subject":"Hello {{ name | default: \"you\" }}","html":"<p>Hi {{ email }}</p>","text":"Hi {{ email }}"}
            """)));
        Assert.Equal("December news", changed["name"]!.GetValue<string>());
        Assert.Equal([listId], changed["list_ids"]!.AsArray().Select(x => x!.GetValue<long>()).ToList());
        Assert.Equal([excludedId], changed["excluded_list_ids"]!.AsArray().Select(x => x!.GetValue<long>()).ToList());
        var badPatch = await ApiWorld.ProblemAsync(await api.PatchAsync($"/api/v1/campaigns/{id}", ApiWorld.Json("""{"text":"{{ oops"}""")), 400);
        Assert.Contains("Text body, line 1", badPatch["errors"]!["text"]![0]!.GetValue<string>());
        Assert.Equal(id, (await OkAsync(await api.GetAsync("/api/v1/campaigns?status=draft")))["data"]![0]!["id"]!.GetValue<long>());

        // Send: through CampaignControl and Quartz, into the sink, each reader once.
        var started = await OkAsync(await api.PostAsync($"/api/v1/campaigns/{id}/send", null));
        Assert.Contains(Status(started), new[] { "scheduled", "sending", "sent" });
        var sent = await WaitForAsync(api, id, c => Status(c) == "sent");
        var progress = sent["progress"]!;
        Assert.Equal(6, progress["sent"]!.GetValue<long>());
        Assert.Equal(6, progress["total"]!.GetValue<long>());
        Assert.Equal(0, progress["queued"]!.GetValue<long>() + progress["sending"]!.GetValue<long>());
        Assert.NotNull(sent["finished_at"]?.GetValue<DateTime>());
        var recipients = sink.Recipients();
        Assert.Equal(6, recipients.Count);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"readers{i}@rcpt.test").Order(), recipients.Order());
        Assert.Contains("Hi readers0@rcpt.test", sink.Dump());

        // What a sent campaign can no longer do: 409 naming its status; nothing more is sent.
        foreach (var action in new[] { "send", "pause", "resume", "cancel", "unschedule" })
        {
            var refused = await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/campaigns/{id}/{action}", null), 409);
            Assert.Equal("sent", refused["campaign_status"]!.GetValue<string>());
            Assert.Contains("This campaign is sent", refused["detail"]!.GetValue<string>());
        }
        var later = world.App.Clock.GetUtcNow().UtcDateTime.AddHours(1).ToString("O");
        Assert.Equal("sent", (await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/campaigns/{id}/schedule", ApiWorld.Json($$"""{"send_at":"{{later}}"}""")), 409))["campaign_status"]!.GetValue<string>());
        Assert.Equal("sent", (await ApiWorld.ProblemAsync(await api.PatchAsync($"/api/v1/campaigns/{id}", ApiWorld.Json("""{"name":"Again"}""")), 409))["campaign_status"]!.GetValue<string>());
        await Task.Delay(500);
        Assert.Equal(6, sink.Recipients().Count);
        var listed = await OkAsync(await api.GetAsync("/api/v1/campaigns?status=sent"));
        Assert.Equal(id, listed["data"]![0]!["id"]!.GetValue<long>());
        await ApiWorld.ProblemAsync(await api.GetAsync("/api/v1/campaigns?status=lost"), 400);
    }

    [Fact]
    public async Task PauseResumeCancel_ScheduleUnschedule_ThroughTheApi_WithIdempotentActions()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var world = await ApiWorld.CreateAsync(kind, Fast, smtpPort: sink.Port);
        using var api = world.Client(await world.CreateKeyAsync("Campaigns", scopes: ["contacts", "campaigns"]));
        var listId = await AudienceAsync(api, "Slow", 12);
        var emptyId = await AudienceAsync(api, "Empty", 0);
        string Draft(long list, int? rate = null) =>
            $$$"""{"name":"Paced","subject":"Hi","text":"Hello {{ email }}","smtp_account_id":{{{world.AccountId}}},"list_ids":[{{{list}}}]{{{(rate is null ? "" : $",\"rate_per_minute\":{rate}")}}}}""";

        // An empty audience: the action is refused for the campaign itself (422), not for its status.
        var nobody = (await OkAsync(await api.PostAsync("/api/v1/campaigns", ApiWorld.Json(Draft(emptyId))), HttpStatusCode.Created))["id"]!.GetValue<long>();
        var empty = await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/campaigns/{nobody}/send", null), 422);
        Assert.Contains(empty["problems"]!.AsArray(), p => p!.GetValue<string>().Contains("audience is empty"));
        Assert.Equal("draft", empty["campaign_status"]!.GetValue<string>());
        // A draft cannot be paused or unscheduled.
        Assert.Equal("draft", (await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/campaigns/{nobody}/pause", null), 409))["campaign_status"]!.GetValue<string>());
        Assert.Equal("draft", (await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/campaigns/{nobody}/unschedule", null), 409))["campaign_status"]!.GetValue<string>());

        // Schedule: in the future only; unschedule makes it a draft again, and it never starts.
        var now = world.App.Clock.GetUtcNow().UtcDateTime;
        var scheduledId = (await OkAsync(await api.PostAsync("/api/v1/campaigns", ApiWorld.Json(Draft(listId))), HttpStatusCode.Created))["id"]!.GetValue<long>();
        var past = await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/campaigns/{scheduledId}/schedule", ApiWorld.Json($$"""{"send_at":"{{now.AddMinutes(-1):O}}"}""")), 400);
        Assert.NotNull(past["errors"]!["send_at"]);
        Assert.NotNull((await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/campaigns/{scheduledId}/schedule", ApiWorld.Json("{}")), 400))["errors"]!["send_at"]);
        Assert.NotNull((await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/campaigns/{scheduledId}/schedule", ApiWorld.Json("""{"send_at":"soon"}""")), 400))["errors"]!["send_at"]);
        var at = now.AddHours(3);
        var scheduled = await OkAsync(await api.PostAsync($"/api/v1/campaigns/{scheduledId}/schedule", ApiWorld.Json($$"""{"send_at":"{{at:yyyy-MM-ddTHH:mm:ss}}+02:00"}""")));
        Assert.Equal("scheduled", Status(scheduled));
        Assert.Equal(at.AddHours(-2).ToString("yyyy-MM-ddTHH:mm:ss"), scheduled["scheduled_at"]!.GetValue<DateTime>().ToString("yyyy-MM-ddTHH:mm:ss"));
        Assert.Equal("scheduled", (await ApiWorld.ProblemAsync(await api.PatchAsync($"/api/v1/campaigns/{scheduledId}", ApiWorld.Json("""{"name":"x"}""")), 409))["campaign_status"]!.GetValue<string>());
        Assert.Equal("draft", Status(await OkAsync(await api.PostAsync($"/api/v1/campaigns/{scheduledId}/unschedule", null))));
        Assert.Null((await OkAsync(await api.GetAsync($"/api/v1/campaigns/{scheduledId}")))["scheduled_at"]?.GetValue<DateTime?>());

        // A paced campaign (2 a second): paused mid-way it sends nothing more; resumed it finishes, each reader once.
        var paced = (await OkAsync(await api.PostAsync("/api/v1/campaigns", ApiWorld.Json(Draft(listId, rate: 120))), HttpStatusCode.Created))["id"]!.GetValue<long>();
        await OkAsync(await api.PostAsync($"/api/v1/campaigns/{paced}/send", null));
        await WaitForAsync(api, paced, c => c["progress"]!["sent"]!.GetValue<long>() >= 2);
        using var pause = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/campaigns/{paced}/pause");
        pause.Headers.Add("Idempotency-Key", "pause-paced");
        var paused = await OkAsync(await api.SendAsync(pause));
        Assert.Equal("paused", Status(paused));
        // The same key again: the first answer, not a 409 for pausing a paused campaign. Without the key: 409.
        using var pauseAgain = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/campaigns/{paced}/pause");
        pauseAgain.Headers.Add("Idempotency-Key", "pause-paced");
        var replayed = await api.SendAsync(pauseAgain);
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal("paused", (await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/campaigns/{paced}/pause", null), 409))["campaign_status"]!.GetValue<string>());
        await Task.Delay(1500); // what was on the wire finishes
        var atPause = sink.Recipients().Count;
        await Task.Delay(1500);
        Assert.Equal(atPause, sink.Recipients().Count);
        Assert.True(atPause < 12, $"all {atPause} were sent before the pause took effect");
        var whilePaused = await OkAsync(await api.GetAsync($"/api/v1/campaigns/{paced}"));
        Assert.Equal("paused", Status(whilePaused));
        Assert.True(whilePaused["progress"]!["queued"]!.GetValue<long>() > 0, whilePaused["progress"]!.ToJsonString());

        Assert.Equal("sending", Status(await OkAsync(await api.PostAsync($"/api/v1/campaigns/{paced}/resume", null))));
        await WaitForAsync(api, paced, c => Status(c) == "sent");
        Assert.Equal(12, sink.Recipients().Count);
        Assert.Equal(12, sink.Recipients().Distinct().Count());

        // Cancel a scheduled campaign: it never starts, and then it can do nothing else.
        Assert.Equal("scheduled", Status(await OkAsync(await api.PostAsync($"/api/v1/campaigns/{scheduledId}/schedule", ApiWorld.Json($$"""{"send_at":"{{at:O}}"}""")))));
        Assert.Equal("cancelled", Status(await OkAsync(await api.PostAsync($"/api/v1/campaigns/{scheduledId}/cancel", null))));
        Assert.Equal("cancelled", (await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/campaigns/{scheduledId}/resume", null), 409))["campaign_status"]!.GetValue<string>());
        Assert.Equal(CampaignStatus.Cancelled, (await world.App.CampaignAsync(scheduledId)).Status);
        Assert.Equal(0, await world.App.QueryAsync(db => db.OutboundMessages.IgnoreQueryFilters().CountAsync(m => m.CampaignId == scheduledId)));
    }
}

public sealed class CampaignsApiTests_Sqlite() : CampaignsApiTests(DatabaseKind.Sqlite);
public sealed class CampaignsApiTests_MariaDb() : CampaignsApiTests(DatabaseKind.MariaDb);
