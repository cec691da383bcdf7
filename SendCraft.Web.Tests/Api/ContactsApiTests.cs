using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;
using SendCraft.Web.Tests.Infrastructure;

namespace SendCraft.Web.Tests.Api;

/// <summary>/api/v1/contacts and /api/v1/lists through the real app: CRUD, upsert, membership and its counts, bad fields, workspaces, scopes.</summary>
public abstract class ContactsApiTests(DatabaseKind kind)
{
    private static HttpRequestMessage Send(HttpMethod method, string path, string? json = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = ApiWorld.Json(json);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    private static async Task<JsonNode> OkAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static long Id(JsonNode node) => node["id"]!.GetValue<long>();

    /// <summary>The list's MemberCount as stored, and its members as counted: they must agree.</summary>
    private static async Task<(int Stored, int Counted)> CountsAsync(ApiWorld world, long listId) =>
        (await world.App.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().Where(l => l.Id == listId).Select(l => l.MemberCount).SingleAsync()),
         await world.App.QueryAsync(db => db.ListMembers.IgnoreQueryFilters().CountAsync(m => m.ListId == listId)));

    [Fact]
    public async Task Contacts_CreateReadPatchDelete_SearchFilterAndCursor_UpsertTwiceIsOneContact()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        using var api = world.Client(await world.CreateKeyAsync("Contacts", scopes: ["contacts"]));

        var list = await OkAsync(await api.PostAsync("/api/v1/lists", ApiWorld.Json("""{"name":"Newsletter","description":"Monthly"}""")), HttpStatusCode.Created);
        var listId = Id(list);
        Assert.Equal(0, list["member_count"]!.GetValue<int>());

        var created = await OkAsync(await api.PostAsync("/api/v1/contacts", ApiWorld.Json(
            $$"""{"email":" Ada@Example.org ","name":"Ada Lovelace","attributes":{"city":"London","plan":"pro","seats":3,"vip":true},"list_ids":[{{listId}}]}""")),
            HttpStatusCode.Created);
        var adaId = Id(created);
        Assert.Equal("ada@example.org", created["email"]!.GetValue<string>());
        Assert.Equal("active", created["status"]!.GetValue<string>());
        Assert.Equal("3", created["attributes"]!["seats"]!.GetValue<string>());
        Assert.Equal("true", created["attributes"]!["vip"]!.GetValue<string>());
        Assert.Equal([listId], created["list_ids"]!.AsArray().Select(x => x!.GetValue<long>()).ToList());
        Assert.Equal((1, 1), await CountsAsync(world, listId));

        var taken = await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/contacts", ApiWorld.Json("""{"email":"ada@example.org"}""")), 409);
        Assert.Contains("upsert", taken["detail"]!.GetValue<string>());

        var read = await OkAsync(await api.GetAsync($"/api/v1/contacts/{adaId}"));
        Assert.Equal("London", read["attributes"]!["city"]!.GetValue<string>());
        Assert.Equal("Ada Lovelace", read["name"]!.GetValue<string>());

        // PATCH merges attributes (null removes one) and changes only what is given.
        var patched = await OkAsync(await api.PatchAsync($"/api/v1/contacts/{adaId}", ApiWorld.Json(
            """{"status":"unsubscribed","attributes":{"plan":null,"city":"Paris","lang":"fr"}}""")));
        Assert.Equal("unsubscribed", patched["status"]!.GetValue<string>());
        Assert.Equal("Ada Lovelace", patched["name"]!.GetValue<string>());
        var attributes = patched["attributes"]!.AsObject().ToDictionary(a => a.Key, a => a.Value!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { ["city"] = "Paris", ["seats"] = "3", ["vip"] = "true", ["lang"] = "fr" }, attributes);
        await ApiWorld.ProblemAsync(await api.PatchAsync("/api/v1/contacts/999999", ApiWorld.Json("""{"name":"x"}""")), 404);

        // Upsert: the first creates, the second updates the same contact.
        var first = await api.PostAsync("/api/v1/contacts/upsert", ApiWorld.Json("""{"email":"grace@example.org","name":"Grace","attributes":{"plan":"free"}}"""));
        var graceId = Id(await OkAsync(first, HttpStatusCode.Created));
        var second = await OkAsync(await api.PostAsync("/api/v1/contacts/upsert", ApiWorld.Json(
            $$"""{"email":"GRACE@example.org","attributes":{"plan":"pro","team":"navy"},"list_ids":[{{listId}}]}""")));
        Assert.Equal(graceId, Id(second));
        Assert.Equal("Grace", second["name"]!.GetValue<string>()); // not given: kept
        Assert.Equal("pro", second["attributes"]!["plan"]!.GetValue<string>());
        Assert.Equal("navy", second["attributes"]!["team"]!.GetValue<string>());
        Assert.Equal(1, await world.App.QueryAsync(db => db.Contacts.IgnoreQueryFilters().CountAsync(c => c.Email == "grace@example.org")));
        Assert.Equal((2, 2), await CountsAsync(world, listId));

        // Search (email prefix, name prefix, attribute), status filter, keyset pages newest first.
        for (var i = 0; i < 3; i++)
            await OkAsync(await api.PostAsync("/api/v1/contacts", ApiWorld.Json($$"""{"email":"bulk{{i}}@example.net","name":"Bulk {{i}}"}""")), HttpStatusCode.Created);
        static List<string> Emails(JsonNode page) => page["data"]!.AsArray().Select(c => c!["email"]!.GetValue<string>()).ToList();
        Assert.Equal(["ada@example.org"], Emails(await OkAsync(await api.GetAsync("/api/v1/contacts?search=ada@"))));
        Assert.Equal(["grace@example.org"], Emails(await OkAsync(await api.GetAsync("/api/v1/contacts?search=gra"))));
        Assert.Equal(["grace@example.org"], Emails(await OkAsync(await api.GetAsync("/api/v1/contacts?search=team:na"))));
        Assert.Equal(["ada@example.org"], Emails(await OkAsync(await api.GetAsync("/api/v1/contacts?status=unsubscribed"))));
        var page1 = await OkAsync(await api.GetAsync("/api/v1/contacts?search=bulk&limit=2"));
        Assert.Equal(["bulk2@example.net", "bulk1@example.net"], Emails(page1));
        var cursor = page1["next_cursor"]!.GetValue<string>();
        var page2 = await OkAsync(await api.GetAsync($"/api/v1/contacts?search=bulk&limit=2&cursor={cursor}"));
        Assert.Equal(["bulk0@example.net"], Emails(page2));
        Assert.Null(page2["next_cursor"]);
        Assert.Equal(5, (await OkAsync(await api.GetAsync("/api/v1/contacts")))["data"]!.AsArray().Count);
        var badQuery = await ApiWorld.ProblemAsync(await api.GetAsync("/api/v1/contacts?status=gone&limit=0&cursor=bm9wZQ"), 400);
        Assert.NotNull(badQuery["errors"]!["status"]);
        Assert.NotNull(badQuery["errors"]!["limit"]);
        Assert.NotNull(badQuery["errors"]!["cursor"]);

        // Delete: the memberships and the count go with it.
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/contacts/{adaId}")).StatusCode);
        await ApiWorld.ProblemAsync(await api.GetAsync($"/api/v1/contacts/{adaId}"), 404);
        await ApiWorld.ProblemAsync(await api.DeleteAsync($"/api/v1/contacts/{adaId}"), 404);
        Assert.Equal((1, 1), await CountsAsync(world, listId));
        Assert.Equal(1, (await OkAsync(await api.GetAsync($"/api/v1/lists/{listId}")))["member_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Lists_AndMembership_OneByOneAndInBulk_KeepMemberCountRight()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        using var api = world.Client(await world.CreateKeyAsync("Contacts", scopes: ["contacts"]));
        var listId = Id(await OkAsync(await api.PostAsync("/api/v1/lists", ApiWorld.Json("""{"name":"VIP"}""")), HttpStatusCode.Created));
        await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/lists", ApiWorld.Json("""{"name":" VIP "}""")), 409);
        var other = Id(await OkAsync(await api.PostAsync("/api/v1/lists", ApiWorld.Json("""{"name":"Other"}""")), HttpStatusCode.Created));
        await ApiWorld.ProblemAsync(await api.PatchAsync($"/api/v1/lists/{other}", ApiWorld.Json("""{"name":"VIP"}""")), 409);
        var renamed = await OkAsync(await api.PatchAsync($"/api/v1/lists/{other}", ApiWorld.Json("""{"description":"Everyone else"}""")));
        Assert.Equal("Other", renamed["name"]!.GetValue<string>());
        Assert.Equal("Everyone else", renamed["description"]!.GetValue<string>());
        var lists = await OkAsync(await api.GetAsync("/api/v1/lists?limit=1"));
        Assert.Equal("VIP", lists["data"]![0]!["name"]!.GetValue<string>());
        var rest = await OkAsync(await api.GetAsync($"/api/v1/lists?limit=1&cursor={lists["next_cursor"]!.GetValue<string>()}"));
        Assert.Equal("Other", rest["data"]![0]!["name"]!.GetValue<string>());

        var ada = Id(await OkAsync(await api.PostAsync("/api/v1/contacts", ApiWorld.Json("""{"email":"ada@example.org"}""")), HttpStatusCode.Created));
        var bob = Id(await OkAsync(await api.PostAsync("/api/v1/contacts", ApiWorld.Json("""{"email":"bob@example.org"}""")), HttpStatusCode.Created));

        // One by one: PUT adds once, DELETE removes once.
        var put = await OkAsync(await api.PutAsync($"/api/v1/lists/{listId}/members/{ada}", null));
        Assert.True(put["added"]!.GetValue<bool>());
        Assert.Equal(1, put["member_count"]!.GetValue<int>());
        var again = await OkAsync(await api.PutAsync($"/api/v1/lists/{listId}/members/{ada}", null));
        Assert.False(again["added"]!.GetValue<bool>());
        Assert.Equal(1, again["member_count"]!.GetValue<int>());
        await ApiWorld.ProblemAsync(await api.PutAsync($"/api/v1/lists/{listId}/members/999999", null), 404);
        await ApiWorld.ProblemAsync(await api.PutAsync($"/api/v1/lists/999999/members/{ada}", null), 404);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/lists/{listId}/members/{ada}")).StatusCode);
        await ApiWorld.ProblemAsync(await api.DeleteAsync($"/api/v1/lists/{listId}/members/{ada}"), 404);
        Assert.Equal((0, 0), await CountsAsync(world, listId));

        // In bulk: ids and emails, a new address creates its contact, repeats and members are "already_member", bad items rejected.
        await api.PutAsync($"/api/v1/lists/{listId}/members/{bob}", null);
        var bulk = await OkAsync(await api.PostAsync($"/api/v1/lists/{listId}/members", ApiWorld.Json(
            $$"""{"contact_ids":[{{ada}},{{bob}},999999,{{ada}}],"emails":["Ada@example.org","new@example.org","not an address"]}""")));
        var statuses = bulk["results"]!.AsArray().Select(r => (r!["item"]!.GetValue<string>(), r["status"]!.GetValue<string>())).ToList();
        Assert.Equal([("contact_ids[0]", "added"), ("contact_ids[1]", "already_member"), ("contact_ids[2]", "rejected"), ("contact_ids[3]", "already_member"),
            ("emails[0]", "already_member"), ("emails[1]", "created"), ("emails[2]", "rejected")], statuses);
        Assert.Equal(1, bulk["added"]!.GetValue<int>());
        Assert.Equal(1, bulk["created"]!.GetValue<int>());
        Assert.Equal(2, bulk["rejected"]!.GetValue<int>());
        Assert.Equal(3, bulk["member_count"]!.GetValue<int>());
        Assert.Equal((3, 3), await CountsAsync(world, listId));
        Assert.Contains("not a valid email", bulk["results"]![6]!["error"]!.GetValue<string>());

        var none = await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/lists/{listId}/members", ApiWorld.Json("""{"emails":["nope"],"contact_ids":[424242]}""")), 400);
        Assert.NotNull(none["errors"]!["emails[0]"]);
        Assert.NotNull(none["errors"]!["contact_ids[0]"]);
        var tooMany = string.Join(",", Enumerable.Range(1, 1001));
        Assert.NotNull((await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/lists/{listId}/members", ApiWorld.Json($$"""{"contact_ids":[{{tooMany}}]}""")), 400))["errors"]!["contact_ids"]);
        await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/lists/{listId}/members", ApiWorld.Json("{}")), 400);
        Assert.Equal((3, 3), await CountsAsync(world, listId));

        // Deleting a contact takes it out of the count; deleting the list keeps the contacts.
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/contacts/{bob}")).StatusCode);
        Assert.Equal((2, 2), await CountsAsync(world, listId));
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/lists/{listId}")).StatusCode);
        await ApiWorld.ProblemAsync(await api.GetAsync($"/api/v1/lists/{listId}"), 404);
        Assert.Equal(2, (await OkAsync(await api.GetAsync("/api/v1/contacts")))["data"]!.AsArray().Count);
        Assert.Empty((await OkAsync(await api.GetAsync($"/api/v1/contacts/{ada}")))["list_ids"]!.AsArray());
    }

    [Fact]
    public async Task BadFields_AreEachNamedInProblemJson_AndNothingIsWritten()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        using var api = world.Client(await world.CreateKeyAsync("Contacts", scopes: ["contacts"]));
        var cases = new (string Path, string Json, string Field)[]
        {
            ("/api/v1/contacts", """{"email":"a@example.org","emial":"typo"}""", "emial"),
            ("/api/v1/contacts", """{"email":"not an address"}""", "email"),
            ("/api/v1/contacts", """{"name":"no email"}""", "email"),
            ("/api/v1/contacts", """{"email":"a@localhost"}""", "email"),
            ("/api/v1/contacts", """{"email":"a@example.org","name":"A\nBcc: b@example.org"}""", "name"),
            ("/api/v1/contacts", """{"email":"a@example.org","status":"gone"}""", "status"),
            ("/api/v1/contacts", """{"email":"a@example.org","attributes":{"First Name":"A"}}""", "attributes.First Name"),
            ("/api/v1/contacts", """{"email":"a@example.org","attributes":{"address":{"city":"x"}}}""", "attributes.address"),
            ("/api/v1/contacts", $$$"""{"email":"a@example.org","attributes":{"bio":"{{{new string('x', 1001)}}}"}}""", "attributes.bio"),
            ("/api/v1/contacts", """{"email":"a@example.org","attributes":["a"]}""", "attributes"),
            ("/api/v1/contacts", """{"email":"a@example.org","list_ids":[424242]}""", "list_ids[0]"),
            ("/api/v1/contacts/upsert", """{"email":42}""", "email"),
            ("/api/v1/lists", """{"name":""}""", "name"),
            ("/api/v1/lists", $$"""{"name":"ok","description":"{{new string('d', 501)}}"}""", "description"),
            ("/api/v1/lists", """{"name":"ok","members":3}""", "members"),
        };
        foreach (var (path, json, field) in cases)
        {
            var problem = await ApiWorld.ProblemAsync(await api.PostAsync(path, ApiWorld.Json(json)), 400);
            var errors = problem["errors"]?.AsObject();
            Assert.True(errors is not null && errors.ContainsKey(field), $"{path} {json}: expected an error for {field}: {ApiWorld.Pretty(problem)}");
            Assert.DoesNotContain("SendCraft.", problem.ToJsonString());
        }
        await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/contacts", new StringContent("""{"email":"a@example.org"}""")), 415);
        Assert.Equal(0, await world.App.QueryAsync(db => db.Contacts.IgnoreQueryFilters().CountAsync()));
        Assert.Equal(0, await world.App.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task OtherWorkspacesRows_Are404_MissingScope_Is403_AndAnIdempotentPostWritesOnce()
    {
        await using var world = await ApiWorld.CreateAsync(kind);
        var otherWs = await world.App.AddWorkspaceAsync("Other");
        var theirContact = await world.App.AddContactAsync(otherWs, "theirs@example.org", "Theirs");
        var theirList = await world.App.AddListAsync(otherWs, "Theirs");
        await world.App.AddToListAsync(otherWs, theirList.Id, theirContact.Id);
        var (_, theirAccount, _) = await world.App.CreateSenderAsync(9, domain: "other.test", inWorkspace: otherWs);
        var theirCampaign = await world.App.CreateCampaignAsync(otherWs, theirAccount, [theirList.Id]);

        using var api = world.Client(await world.CreateKeyAsync("Everything", scopes: ["contacts", "campaigns"]));
        var mine = Id(await OkAsync(await api.PostAsync("/api/v1/contacts", ApiWorld.Json("""{"email":"mine@example.org"}""")), HttpStatusCode.Created));
        var myList = Id(await OkAsync(await api.PostAsync("/api/v1/lists", ApiWorld.Json("""{"name":"Mine"}""")), HttpStatusCode.Created));

        // The same address in another workspace is another contact: no conflict across workspaces.
        await OkAsync(await api.PostAsync("/api/v1/contacts", ApiWorld.Json("""{"email":"theirs@example.org"}""")), HttpStatusCode.Created);
        await ApiWorld.ProblemAsync(await api.GetAsync($"/api/v1/contacts/{theirContact.Id}"), 404);
        await ApiWorld.ProblemAsync(await api.PatchAsync($"/api/v1/contacts/{theirContact.Id}", ApiWorld.Json("""{"name":"Mine now"}""")), 404);
        await ApiWorld.ProblemAsync(await api.DeleteAsync($"/api/v1/contacts/{theirContact.Id}"), 404);
        await ApiWorld.ProblemAsync(await api.GetAsync($"/api/v1/lists/{theirList.Id}"), 404);
        await ApiWorld.ProblemAsync(await api.PatchAsync($"/api/v1/lists/{theirList.Id}", ApiWorld.Json("""{"name":"Mine now"}""")), 404);
        await ApiWorld.ProblemAsync(await api.DeleteAsync($"/api/v1/lists/{theirList.Id}"), 404);
        await ApiWorld.ProblemAsync(await api.PutAsync($"/api/v1/lists/{theirList.Id}/members/{mine}", null), 404);
        await ApiWorld.ProblemAsync(await api.PutAsync($"/api/v1/lists/{myList}/members/{theirContact.Id}", null), 404);
        await ApiWorld.ProblemAsync(await api.DeleteAsync($"/api/v1/lists/{theirList.Id}/members/{theirContact.Id}"), 404);
        var bulk = await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/lists/{myList}/members", ApiWorld.Json($$"""{"contact_ids":[{{theirContact.Id}}]}""")), 400);
        Assert.NotNull(bulk["errors"]!["contact_ids[0]"]);
        await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/lists/{theirList.Id}/members", ApiWorld.Json($$"""{"contact_ids":[{{mine}}]}""")), 404);
        await ApiWorld.ProblemAsync(await api.PostAsync("/api/v1/contacts/upsert", ApiWorld.Json($$"""{"email":"x@example.org","list_ids":[{{theirList.Id}}]}""")), 400);
        await ApiWorld.ProblemAsync(await api.GetAsync($"/api/v1/campaigns/{theirCampaign}"), 404);
        await ApiWorld.ProblemAsync(await api.PatchAsync($"/api/v1/campaigns/{theirCampaign}", ApiWorld.Json("""{"name":"Mine now"}""")), 404);
        await ApiWorld.ProblemAsync(await api.PostAsync($"/api/v1/campaigns/{theirCampaign}/send", null), 404);
        Assert.DoesNotContain((await OkAsync(await api.GetAsync("/api/v1/campaigns")))["data"]!.AsArray(), c => Id(c!) == theirCampaign);
        Assert.DoesNotContain((await OkAsync(await api.GetAsync("/api/v1/lists")))["data"]!.AsArray(), l => Id(l!) == theirList.Id);
        // Their rows are untouched.
        Assert.Equal("Theirs", await world.App.QueryAsync(db => db.Contacts.IgnoreQueryFilters().Where(c => c.Id == theirContact.Id).Select(c => c.Name).SingleAsync()));
        Assert.Equal(1, await world.App.QueryAsync(db => db.ContactLists.IgnoreQueryFilters().Where(l => l.Id == theirList.Id).Select(l => l.MemberCount).SingleAsync()));
        Assert.Equal(CampaignStatus.Draft, (await world.App.CampaignAsync(theirCampaign)).Status);

        // Scopes: contacts and lists need contacts, campaigns need campaigns.
        using var sender = world.Client(await world.CreateKeyAsync("Sender", scopes: ["send"]));
        using var contactsOnly = world.Client(await world.CreateKeyAsync("Contacts only", scopes: ["contacts"]));
        foreach (var path in new[] { "/api/v1/contacts", $"/api/v1/contacts/{mine}", "/api/v1/lists", $"/api/v1/lists/{myList}" })
            Assert.Equal("contacts", (await ApiWorld.ProblemAsync(await sender.GetAsync(path), 403))["required_scope"]!.GetValue<string>());
        Assert.Equal("contacts", (await ApiWorld.ProblemAsync(await sender.PostAsync("/api/v1/contacts", ApiWorld.Json("""{"email":"s@example.org"}""")), 403))["required_scope"]!.GetValue<string>());
        Assert.Equal("contacts", (await ApiWorld.ProblemAsync(await sender.PutAsync($"/api/v1/lists/{myList}/members/{mine}", null), 403))["required_scope"]!.GetValue<string>());
        Assert.Equal("campaigns", (await ApiWorld.ProblemAsync(await contactsOnly.GetAsync("/api/v1/campaigns"), 403))["required_scope"]!.GetValue<string>());
        Assert.Equal("campaigns", (await ApiWorld.ProblemAsync(await contactsOnly.PostAsync($"/api/v1/campaigns/{theirCampaign}/send", null), 403))["required_scope"]!.GetValue<string>());
        Assert.Equal(0, await world.App.QueryAsync(db => db.Contacts.IgnoreQueryFilters().CountAsync(c => c.Email == "s@example.org")));

        // Idempotency-Key: a retry gets the first answer and writes nothing; another body with the key is refused.
        var firstTry = await contactsOnly.SendAsync(Send(HttpMethod.Post, "/api/v1/contacts", """{"email":"once@example.org"}""", "contact-once"));
        var firstBody = await OkAsync(firstTry, HttpStatusCode.Created);
        var retry = await contactsOnly.SendAsync(Send(HttpMethod.Post, "/api/v1/contacts", """{"email":"once@example.org"}""", "contact-once"));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(Id(firstBody), Id(await ApiWorld.BodyAsync(retry)));
        await ApiWorld.ProblemAsync(await contactsOnly.SendAsync(Send(HttpMethod.Post, "/api/v1/contacts", """{"email":"twice@example.org"}""", "contact-once")), 422);
        Assert.Equal(1, await world.App.QueryAsync(db => db.Contacts.IgnoreQueryFilters().CountAsync(c => c.Email == "once@example.org")));
        Assert.Equal(0, await world.App.QueryAsync(db => db.Contacts.IgnoreQueryFilters().CountAsync(c => c.Email == "twice@example.org")));
        // A bulk add replayed adds nothing more; the stored answer is the first one.
        var bulkJson = """{"emails":["b1@example.org","b2@example.org"]}""";
        var bulkFirst = await OkAsync(await contactsOnly.SendAsync(Send(HttpMethod.Post, $"/api/v1/lists/{myList}/members", bulkJson, "bulk-1")));
        var bulkAgain = await OkAsync(await contactsOnly.SendAsync(Send(HttpMethod.Post, $"/api/v1/lists/{myList}/members", bulkJson, "bulk-1")));
        Assert.Equal(bulkFirst.ToJsonString(), bulkAgain.ToJsonString());
        Assert.Equal(2, bulkAgain["created"]!.GetValue<int>());
        Assert.Equal((2, 2), await CountsAsync(world, myList));
        // A list created twice with one key is one list (not a 409 on the retry).
        var listFirst = await OkAsync(await contactsOnly.SendAsync(Send(HttpMethod.Post, "/api/v1/lists", """{"name":"Once"}""", "list-once")), HttpStatusCode.Created);
        var listAgain = await OkAsync(await contactsOnly.SendAsync(Send(HttpMethod.Post, "/api/v1/lists", """{"name":"Once"}""", "list-once")), HttpStatusCode.Created);
        Assert.Equal(Id(listFirst), Id(listAgain));
    }
}

public sealed class ContactsApiTests_Sqlite() : ContactsApiTests(DatabaseKind.Sqlite);
public sealed class ContactsApiTests_MariaDb() : ContactsApiTests(DatabaseKind.MariaDb);
