using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Contacts;
using SendCraft.Web.Data;
using SendCraft.Web.Data.Configurations;
using SendCraft.Web.Infrastructure;

namespace SendCraft.Web.Api;

/// <summary>
/// /api/v1/contacts and /api/v1/lists (scope contacts): the same rules and writes as the contact and list pages
/// (ContactEmail, PlainName, ContactAttributes, ContactListRules, ContactSearch, and ContactWrites for everything that
/// touches membership, so ContactList.MemberCount stays right). Checks against the database run inside the
/// Idempotency-Key transaction, so a replayed request gets its first answer, not a "that already exists".
/// </summary>
public static class ContactsEndpoints
{
    public const int MaxAttributes = 200;
    public const int MaxBulkMembers = 1000;

    public static RouteGroupBuilder MapContactResources(this RouteGroupBuilder api)
    {
        var contacts = api.MapGroup("/contacts").WithTags("Contacts");
        contacts.MapGet("", ListContactsAsync).RequireScope(ApiScopes.Contacts)
            .WithName("ListContacts").WithSummary("List contacts, newest first")
            .WithDescription("search: text with an @ matches email prefixes (ann@ex), key:value an attribute prefix (city:Ber), " +
                             "anything else an email or name prefix (ann). status: active, unsubscribed, bounced or complained. " +
                             "Pages of up to 100 (limit, default 50); pass next_cursor as cursor for the next page. An attribute search " +
                             "looks through a bounded window of contacts per page, so a page can hold fewer than limit with a next_cursor still set.")
            .Produces<ContactPage>().ApiErrors(400, 401, 403, 429);
        contacts.MapGet("/{id:long}", async (long id, SendCraftDbContext db, CancellationToken ct) =>
                await LoadContactAsync(db, id, ct) is { } view ? Results.Json(view, ApiJson.Options) : ApiProblems.NotFound("contact"))
            .RequireScope(ApiScopes.Contacts).WithName("GetContact").WithSummary("Get a contact with its attributes and list ids")
            .Produces<ContactView>().ApiErrors(401, 403, 404, 429);
        contacts.MapPost("", CreateContactAsync).RequireScope(ApiScopes.Contacts)
            .WithName("CreateContact").WithSummary("Create a contact (409 when the email exists; see upsert)")
            .Accepts<ContactRequest>("application/json").Produces<ContactView>(StatusCodes.Status201Created)
            .ApiErrors(400, 401, 403, 409, 413, 415, 422, 429);
        contacts.MapPost("/upsert", UpsertContactAsync).RequireScope(ApiScopes.Contacts)
            .WithName("UpsertContact").WithSummary("Create the contact with this email, or update it")
            .WithDescription("201 with the new contact, or 200 with the updated one: name replaced when given, attributes merged " +
                             "(null removes a key), status changed when given, added to list_ids. Sending it twice leaves one contact.")
            .Accepts<ContactRequest>("application/json").Produces<ContactView>().Produces<ContactView>(StatusCodes.Status201Created)
            .ApiErrors(400, 401, 403, 409, 413, 415, 422, 429);
        contacts.MapPatch("/{id:long}", PatchContactAsync).RequireScope(ApiScopes.Contacts)
            .WithName("UpdateContact").WithSummary("Change a contact's email, name, status or attributes (merged)")
            .Accepts<ContactPatch>("application/json").Produces<ContactView>()
            .ApiErrors(400, 401, 403, 404, 409, 413, 415, 422, 429);
        contacts.MapDelete("/{id:long}", async (long id, SendCraftDbContext db, CancellationToken ct) =>
            {
                if (!await db.Contacts.AnyAsync(c => c.Id == id, ct)) return ApiProblems.NotFound("contact");
                await ContactWrites.DeleteAsync(db, [id], ct);
                return Results.NoContent();
            })
            .RequireScope(ApiScopes.Contacts).WithName("DeleteContact").WithSummary("Delete a contact and its list memberships")
            .Produces(StatusCodes.Status204NoContent).ApiErrors(401, 403, 404, 429);

        var lists = api.MapGroup("/lists").WithTags("Lists");
        lists.MapGet("", ListListsAsync).RequireScope(ApiScopes.Contacts)
            .WithName("ListLists").WithSummary("List the workspace's lists, oldest first")
            .WithDescription("Pages of up to 1000 (limit, default 100); pass next_cursor as cursor for the next page.")
            .Produces<ListPage>().ApiErrors(400, 401, 403, 429);
        lists.MapGet("/{id:long}", async (long id, SendCraftDbContext db, CancellationToken ct) =>
                await LoadListAsync(db, id, ct) is { } view ? Results.Json(view, ApiJson.Options) : ApiProblems.NotFound("list"))
            .RequireScope(ApiScopes.Contacts).WithName("GetList").WithSummary("Get a list with its member count")
            .Produces<ListView>().ApiErrors(401, 403, 404, 429);
        lists.MapPost("", CreateListAsync).RequireScope(ApiScopes.Contacts)
            .WithName("CreateList").WithSummary("Create a list (409 when the name is taken)")
            .Accepts<ListRequest>("application/json").Produces<ListView>(StatusCodes.Status201Created)
            .ApiErrors(400, 401, 403, 409, 413, 415, 422, 429);
        lists.MapPatch("/{id:long}", PatchListAsync).RequireScope(ApiScopes.Contacts)
            .WithName("UpdateList").WithSummary("Rename a list or change its description")
            .Accepts<ListRequest>("application/json").Produces<ListView>()
            .ApiErrors(400, 401, 403, 404, 409, 413, 415, 422, 429);
        lists.MapDelete("/{id:long}", async (long id, SendCraftDbContext db, CancellationToken ct) =>
            {
                if (!await db.ContactLists.AnyAsync(l => l.Id == id, ct)) return ApiProblems.NotFound("list");
                await ContactWrites.DeleteListAsync(db, id, ct);
                return Results.NoContent();
            })
            .RequireScope(ApiScopes.Contacts).WithName("DeleteList").WithSummary("Delete a list (its contacts stay)")
            .Produces(StatusCodes.Status204NoContent).ApiErrors(401, 403, 404, 429);

        lists.MapPut("/{listId:long}/members/{contactId:long}", AddMemberAsync).RequireScope(ApiScopes.Contacts)
            .WithName("AddListMember").WithSummary("Add a contact to a list (nothing changes when it is a member already)")
            .Produces<MembershipView>().ApiErrors(401, 403, 404, 429);
        lists.MapDelete("/{listId:long}/members/{contactId:long}", RemoveMemberAsync).RequireScope(ApiScopes.Contacts)
            .WithName("RemoveListMember").WithSummary("Remove a contact from a list (the contact stays)")
            .Produces(StatusCodes.Status204NoContent).ApiErrors(401, 403, 404, 429);
        lists.MapPost("/{listId:long}/members", AddMembersAsync).RequireScope(ApiScopes.Contacts)
            .WithName("AddListMembers").WithSummary($"Add up to {MaxBulkMembers} contacts to a list, by id or email")
            .WithDescription("Each item is reported on its own (results[].item names it): added, created (a contact made for a new address, " +
                             "then added), already_member, or rejected with an error. The valid ones are added in one transaction; " +
                             "200 when at least one item is valid, 400 when none is.")
            .Accepts<MembersRequest>("application/json").Produces<MembersResponse>()
            .ApiErrors(400, 401, 403, 404, 409, 413, 415, 422, 429);
        return api;
    }

    // ---- Contacts --------------------------------------------------------------------------------------------------

    private static async Task<IResult> ListContactsAsync(SendCraftDbContext db, string? search, string? status, string? cursor, string? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var (take, after) = ApiCursor.Read('c', cursor, limit, 50, 100, errors);
        var wanted = status is null ? null : ReadStatus(status, "status", errors);
        if (errors.Count > 0) return ApiProblems.Validation(errors);

        var query = ContactSearch.Parse(search);
        var contacts = db.Contacts.AsNoTracking();
        var newestFirst = ContactSearch.NewestFirstSource(db).AsNoTracking();
        if (wanted is { } s)
        {
            contacts = contacts.Where(c => c.Status == s);
            newestFirst = newestFirst.Where(c => c.Status == s);
        }
        // The contact page's search and keyset paging, as they are (their index use is measured in docs/benchmarks.md).
        var rows = (await query.ApplyForPageAsync(contacts, ct, newestFirst)).AsRows();
        var page = await query.PageAsync(contacts, rows, after, null, ct, take);
        var ids = page.Rows.Select(r => r.Id).ToList();
        var full = ids.Count == 0 ? [] : await db.Contacts.AsNoTracking().Where(c => EF.Constant(ids).Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var memberships = await Keyset.ListsOfAsync(db, ids, ct);
        var data = page.Rows.Where(r => full.ContainsKey(r.Id))
            .Select(r => ToView(full[r.Id], memberships[r.Id].Select(l => l.Id).Order().ToList())).ToList();
        return Results.Json(new ContactPage(data, page.NextAfter is { } next ? ApiCursor.Encode('c', next) : null), ApiJson.Options);
    }

    private static async Task<IResult> CreateContactAsync(HttpContext http, SendCraftDbContext db, Idempotency idempotency, TimeProvider clock)
    {
        var (body, fields) = await ReadContactAsync(http);
        if (fields is null) return body.Problem!;
        var (r, email, _, _, _) = fields;

        return await idempotency.RunAsync(http, body.Raw, async ct =>
        {
            if (await CheckListIdsAsync(db, r.ListIds, ct) is { } listProblem) return ApiAnswer.Fail(listProblem);
            if (await db.Contacts.AnyAsync(c => c.Email == email, ct)) return ApiAnswer.Fail(EmailTaken(email));
            if (await InsertContactAsync(db, fields, clock.GetUtcNow().UtcDateTime, ct) is not { } contact) return ApiAnswer.Fail(EmailTaken(email));
            foreach (var listId in (r.ListIds ?? []).Distinct()) await ContactWrites.AddToListAsync(db, listId, [contact.Id], ct);
            return new ApiAnswer(StatusCodes.Status201Created, await LoadContactAsync(db, contact.Id, ct));
        });
    }

    private static async Task<IResult> UpsertContactAsync(HttpContext http, SendCraftDbContext db, Idempotency idempotency, TimeProvider clock)
    {
        var (body, fields) = await ReadContactAsync(http);
        if (fields is null) return body.Problem!;
        var (r, email, name, status, attributes) = fields;

        return await idempotency.RunAsync(http, body.Raw, async ct =>
        {
            if (await CheckListIdsAsync(db, r.ListIds, ct) is { } listProblem) return ApiAnswer.Fail(listProblem);
            var now = clock.GetUtcNow().UtcDateTime;
            var contact = await db.Contacts.FirstOrDefaultAsync(c => c.Email == email, ct);
            var created = contact is null;
            if (contact is null)
            {
                contact = await InsertContactAsync(db, fields, now, ct);
                if (contact is null)
                    return ApiAnswer.Fail(ApiProblems.Result(StatusCodes.Status409Conflict,
                        $"Another request created {email} at the same moment; send this one again to update it."));
            }
            else
            {
                if (name is not null) contact.Name = name;
                if (status is { } s) contact.Status = s;
                contact.AttributesJson = ApplyAttributes(contact.AttributesJson, attributes);
                contact.UpdatedAt = now;
                await db.SaveChangesAsync(ct);
            }
            foreach (var listId in (r.ListIds ?? []).Distinct()) await ContactWrites.AddToListAsync(db, listId, [contact.Id], ct);
            return new ApiAnswer(created ? StatusCodes.Status201Created : StatusCodes.Status200OK, await LoadContactAsync(db, contact.Id, ct));
        });
    }

    private static async Task<IResult> PatchContactAsync(long id, HttpContext http, SendCraftDbContext db, Idempotency idempotency, TimeProvider clock)
    {
        var body = await ApiJson.ReadAsync<ContactPatch>(http);
        if (body.Problem is not null) return body.Problem;
        var r = body.Value!;
        var errors = new Dictionary<string, string[]>();
        var email = r.Email is null ? null : ReadEmail(r.Email, "email", errors);
        var name = ReadName(r.Name, errors);
        var status = r.Status is null ? null : ReadStatus(r.Status, "status", errors);
        var attributes = ReadAttributes(r.Attributes, errors);
        if (errors.Count > 0) return ApiProblems.Validation(errors);

        return await idempotency.RunAsync(http, body.Raw, async ct =>
        {
            var contact = await db.Contacts.FirstOrDefaultAsync(c => c.Id == id, ct);
            if (contact is null) return ApiAnswer.Fail(ApiProblems.NotFound("contact"));
            if (email is not null && email != contact.Email)
            {
                if (await db.Contacts.AnyAsync(c => c.Email == email && c.Id != id, ct)) return ApiAnswer.Fail(EmailTaken(email));
                contact.Email = email;
            }
            if (name is not null) contact.Name = name;
            if (status is { } s) contact.Status = s;
            contact.AttributesJson = ApplyAttributes(contact.AttributesJson, attributes);
            contact.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                db.Entry(contact).State = EntityState.Detached;
                return ApiAnswer.Fail(EmailTaken(email!));
            }
            return new ApiAnswer(StatusCodes.Status200OK, await LoadContactAsync(db, id, ct));
        });
    }

    private static async Task<ContactView?> LoadContactAsync(SendCraftDbContext db, long id, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null) return null;
        var lists = await db.ListMembers.AsNoTracking().Where(m => m.ContactId == id).OrderBy(m => m.ListId).Select(m => m.ListId).ToListAsync(ct);
        return ToView(contact, lists);
    }

    private static ContactView ToView(Contact c, IReadOnlyList<long> listIds) =>
        new(c.Id, c.Email, c.Name, ContactStatusNames.Of(c.Status), ContactAttributes.Parse(c.AttributesJson), listIds, c.CreatedAt, c.UpdatedAt);

    private static IResult EmailTaken(string email) =>
        ApiProblems.Result(StatusCodes.Status409Conflict, $"A contact with the email {email} already exists; use POST /contacts/upsert to update it.",
            new Dictionary<string, object?> { ["email"] = email });

    // ---- Lists -----------------------------------------------------------------------------------------------------

    private static async Task<IResult> ListListsAsync(SendCraftDbContext db, string? cursor, string? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var (take, after) = ApiCursor.Read('l', cursor, limit, 100, 1000, errors);
        if (errors.Count > 0) return ApiProblems.Validation(errors);
        var query = db.ContactLists.AsNoTracking();
        if (after is { } a) query = query.Where(l => l.Id > a);
        var rows = await query.OrderBy(l => l.Id).Take(take + 1)
            .Select(l => new ListView(l.Id, l.Name, l.Description, l.MemberCount, l.CreatedAt)).ToListAsync(ct);
        return Results.Json(new ListPage(rows.Take(take).ToList(), rows.Count > take ? ApiCursor.Encode('l', rows[take - 1].Id) : null), ApiJson.Options);
    }

    private static Task<ListView?> LoadListAsync(SendCraftDbContext db, long id, CancellationToken ct) =>
        db.ContactLists.AsNoTracking().Where(l => l.Id == id)
            .Select(l => new ListView(l.Id, l.Name, l.Description, l.MemberCount, l.CreatedAt)).FirstOrDefaultAsync(ct);

    private static async Task<IResult> CreateListAsync(HttpContext http, SendCraftDbContext db, Idempotency idempotency, TimeProvider clock)
    {
        var body = await ApiJson.ReadAsync<ListRequest>(http);
        if (body.Problem is not null) return body.Problem;
        var r = body.Value!;
        return await idempotency.RunAsync(http, body.Raw, async ct =>
        {
            if (await ContactListRules.CheckAsync(db, null, r.Name, r.Description, ct) is { } problem) return ApiAnswer.Fail(ListProblem(problem));
            var list = new ContactList { Name = r.Name!.Trim(), Description = r.Description?.Trim() ?? "", CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.ContactLists.Add(list);
            await db.SaveChangesAsync(ct);
            return new ApiAnswer(StatusCodes.Status201Created, await LoadListAsync(db, list.Id, ct));
        });
    }

    private static async Task<IResult> PatchListAsync(long id, HttpContext http, SendCraftDbContext db, Idempotency idempotency)
    {
        var body = await ApiJson.ReadAsync<ListRequest>(http);
        if (body.Problem is not null) return body.Problem;
        var r = body.Value!;
        return await idempotency.RunAsync(http, body.Raw, async ct =>
        {
            var list = await db.ContactLists.FirstOrDefaultAsync(l => l.Id == id, ct);
            if (list is null) return ApiAnswer.Fail(ApiProblems.NotFound("list"));
            var name = r.Name ?? list.Name;
            var description = r.Description ?? list.Description;
            if (await ContactListRules.CheckAsync(db, id, name, description, ct) is { } problem) return ApiAnswer.Fail(ListProblem(problem));
            list.Name = name.Trim();
            list.Description = description.Trim();
            await db.SaveChangesAsync(ct);
            return new ApiAnswer(StatusCodes.Status200OK, await LoadListAsync(db, id, ct));
        });
    }

    private static IResult ListProblem(ContactListRules.Problem problem) => problem.IsDuplicate
        ? ApiProblems.Result(StatusCodes.Status409Conflict, problem.Message, new Dictionary<string, object?> { ["field"] = "name" })
        : ApiProblems.Validation(new Dictionary<string, string[]>
            { [problem.Field == ContactListRules.Field.Name ? "name" : "description"] = [problem.Message] });

    // ---- Membership ------------------------------------------------------------------------------------------------

    private static async Task<IResult> AddMemberAsync(long listId, long contactId, SendCraftDbContext db, CancellationToken ct)
    {
        if (!await db.ContactLists.AnyAsync(l => l.Id == listId, ct)) return ApiProblems.NotFound("list");
        if (!await db.Contacts.AnyAsync(c => c.Id == contactId, ct)) return ApiProblems.NotFound("contact");
        var added = await ContactWrites.AddToListAsync(db, listId, [contactId], ct);
        var count = await db.ContactLists.Where(l => l.Id == listId).Select(l => l.MemberCount).FirstAsync(ct);
        return Results.Json(new MembershipView(listId, contactId, added == 1, count), ApiJson.Options);
    }

    private static async Task<IResult> RemoveMemberAsync(long listId, long contactId, SendCraftDbContext db, CancellationToken ct)
    {
        if (!await db.ContactLists.AnyAsync(l => l.Id == listId, ct)) return ApiProblems.NotFound("list");
        if (!await db.Contacts.AnyAsync(c => c.Id == contactId, ct)) return ApiProblems.NotFound("contact");
        return await ContactWrites.RemoveFromListAsync(db, listId, contactId, ct)
            ? Results.NoContent()
            : ApiProblems.Result(StatusCodes.Status404NotFound, "This contact is not a member of this list.");
    }

    private static async Task<IResult> AddMembersAsync(long listId, HttpContext http, SendCraftDbContext db, Idempotency idempotency, TimeProvider clock)
    {
        var body = await ApiJson.ReadAsync<MembersRequest>(http);
        if (body.Problem is not null) return body.Problem;
        var ids = body.Value!.ContactIds ?? [];
        var emails = body.Value.Emails ?? [];
        var total = ids.Count + emails.Count;
        if (total == 0)
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["contact_ids"] = [$"Give contact_ids, emails or both: 1 to {MaxBulkMembers} in all."] });
        if (total > MaxBulkMembers)
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["contact_ids"] = [$"At most {MaxBulkMembers} contact ids and emails in all; this request has {total}."] });
        // Each email on its own: a bad one is one rejected item, not a failed request.
        var normalized = emails.Select(e => ContactEmail.TryNormalize(e, out var n, out var error) ? (Email: (string?)n, Error: (string?)null) : (Email: null, Error: error)).ToList();

        return await idempotency.RunAsync(http, body.Raw, async ct =>
        {
            if (!await db.ContactLists.AnyAsync(l => l.Id == listId, ct)) return ApiAnswer.Fail(ApiProblems.NotFound("list"));
            var wantedIds = ids.Distinct().ToList();
            var knownIds = wantedIds.Count == 0 ? [] : (await db.Contacts.Where(c => EF.Constant(wantedIds).Contains(c.Id)).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
            var wantedEmails = normalized.Where(n => n.Email is not null).Select(n => n.Email!).Distinct().ToList();
            var byEmail = wantedEmails.Count == 0 ? [] : await db.Contacts.Where(c => EF.Constant(wantedEmails).Contains(c.Email))
                .Select(c => new { c.Email, c.Id }).ToDictionaryAsync(c => c.Email, c => c.Id, ct);
            // A contact for each new address, as the list page's "add by email" makes one.
            var now = clock.GetUtcNow().UtcDateTime;
            var fresh = wantedEmails.Where(e => !byEmail.ContainsKey(e)).Select(e => new Contact { Email = e, CreatedAt = now, UpdatedAt = now }).ToList();
            if (fresh.Count > 0)
            {
                db.Contacts.AddRange(fresh);
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    return ApiAnswer.Fail(ApiProblems.Result(StatusCodes.Status409Conflict,
                        "Another request created some of these contacts at the same moment; send this one again."));
                }
                foreach (var c in fresh) byEmail[c.Email] = c.Id;
            }
            var createdIds = fresh.Select(c => c.Id).ToHashSet();
            var candidates = knownIds.Concat(byEmail.Values).Distinct().ToList();
            var already = candidates.Count == 0 ? [] : (await db.ListMembers.Where(m => m.ListId == listId && EF.Constant(candidates).Contains(m.ContactId))
                .Select(m => m.ContactId).ToListAsync(ct)).ToHashSet();

            var results = new List<MemberResult>(total);
            var seen = new HashSet<long>();
            void Item(string item, long? contactId, string? error, bool created = false)
            {
                if (contactId is not { } id) results.Add(new(item, null, "rejected", error));
                else if (already.Contains(id) || !seen.Add(id)) results.Add(new(item, id, "already_member", null));
                else results.Add(new(item, id, created ? "created" : "added", null));
            }
            for (var i = 0; i < ids.Count; i++)
                Item($"contact_ids[{i}]", knownIds.Contains(ids[i]) ? ids[i] : null, "No contact with this id in this workspace.");
            for (var i = 0; i < normalized.Count; i++)
            {
                var (email, error) = normalized[i];
                var id = email is null ? (long?)null : byEmail[email];
                Item($"emails[{i}]", id, error, id is { } c && createdIds.Contains(c));
            }

            var rejected = results.Where(x => x.Status == "rejected").ToList();
            if (rejected.Count == results.Count)
            {
                return ApiAnswer.Fail(ApiProblems.Result(StatusCodes.Status400BadRequest, "No item is valid; nothing was added.",
                    new Dictionary<string, object?> { ["errors"] = rejected.ToDictionary(x => x.Item, x => new[] { x.Error! }), ["results"] = results }));
            }
            var toAdd = results.Where(x => x.Status is "added" or "created").Select(x => x.ContactId!.Value).ToList();
            if (toAdd.Count > 0) await ContactWrites.AddToListAsync(db, listId, toAdd, ct);
            var count = await db.ContactLists.Where(l => l.Id == listId).Select(l => l.MemberCount).FirstAsync(ct);
            return new ApiAnswer(StatusCodes.Status200OK, new MembersResponse(
                results.Count(x => x.Status == "added"), results.Count(x => x.Status == "created"), results.Count(x => x.Status == "already_member"),
                rejected.Count, count, results));
        });
    }

    // ---- Field rules (the pages' and the import's) -----------------------------------------------------------------

    /// <summary>
    /// Inserts the contact; null when the unique (WorkspaceId, Email) index refused it: another request created the same
    /// address between the caller's check and this insert.
    /// </summary>
    private static async Task<Contact?> InsertContactAsync(SendCraftDbContext db, ContactFields fields, DateTime now, CancellationToken ct)
    {
        var contact = new Contact
        {
            Email = fields.Email, Name = fields.Name ?? "", Status = fields.Status ?? ContactStatus.Active,
            AttributesJson = ApplyAttributes("{}", fields.Attributes), CreatedAt = now, UpdatedAt = now,
        };
        db.Contacts.Add(contact);
        try
        {
            await db.SaveChangesAsync(ct);
            return contact;
        }
        catch (DbUpdateException)
        {
            db.Entry(contact).State = EntityState.Detached;
            return null;
        }
    }

    /// <summary>A create or upsert body, every field checked (all bad fields named in one problem+json answer).</summary>
    private sealed record ContactFields(ContactRequest Request, string Email, string? Name, ContactStatus? Status, Dictionary<string, string?>? Attributes);

    /// <returns>The fields, or null with the body's Problem set to the answer.</returns>
    private static async Task<(ApiJson.Body<ContactRequest> Body, ContactFields? Fields)> ReadContactAsync(HttpContext http)
    {
        var body = await ApiJson.ReadAsync<ContactRequest>(http);
        if (body.Problem is not null) return (body, null);
        var r = body.Value!;
        var errors = new Dictionary<string, string[]>();
        var email = ReadEmail(r.Email, "email", errors);
        var name = ReadName(r.Name, errors);
        var status = r.Status is null ? null : ReadStatus(r.Status, "status", errors);
        var attributes = ReadAttributes(r.Attributes, errors);
        return errors.Count > 0
            ? (body with { Problem = ApiProblems.Validation(errors) }, null)
            : (body, new ContactFields(r, email!, name, status, attributes));
    }

    private static string? ReadEmail(string? value, string field, IDictionary<string, string[]> errors)
    {
        if (ContactEmail.TryNormalize(value, out var email, out var error)) return email;
        errors[field] = [value is null ? "Required: the contact's email address." : error];
        return null;
    }

    /// <summary>Trimmed; null when not given (left as it is on updates).</summary>
    private static string? ReadName(string? value, IDictionary<string, string[]> errors)
    {
        if (value is null) return null;
        var name = value.Trim();
        if (name.Length > ContactConfiguration.NameMaxLength) errors["name"] = [$"At most {ContactConfiguration.NameMaxLength} characters."];
        else if (PlainName.Problem(name) is { } problem) errors["name"] = [problem];
        return name;
    }

    private static ContactStatus? ReadStatus(string value, string field, IDictionary<string, string[]> errors)
    {
        if (ContactStatusNames.Parse(value) is { } status) return status;
        errors[field] = [$"One of: {ContactStatusNames.Choices}."];
        return null;
    }

    /// <summary>
    /// The attribute changes: key to new value, or to null to remove it. Keys as the import's column names
    /// (ContactAttributes.IsValidKey), values at most ContactAttributes.MaxValueLength characters, as the import checks them.
    /// </summary>
    private static Dictionary<string, string?>? ReadAttributes(Dictionary<string, JsonElement>? input, IDictionary<string, string[]> errors)
    {
        if (input is null) return null;
        if (input.Count > MaxAttributes)
        {
            errors["attributes"] = [$"At most {MaxAttributes} attributes; this object has {input.Count}."];
            return null;
        }
        var changes = new Dictionary<string, string?>();
        foreach (var (key, value) in input)
        {
            var path = "attributes." + key;
            if (!ContactAttributes.IsValidKey(key))
            {
                errors[path] = [$"Not a valid attribute name: lower-case letters, digits and _, starting with a letter or _, at most {ContactAttributes.MaxKeyLength} characters (it becomes the template variable {{{{ {key} }}}})."];
                continue;
            }
            string? text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!.Trim(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
            if (text is null && value.ValueKind != JsonValueKind.Null)
                errors[path] = ["Attributes are flat: a string, number, boolean or null (to remove it), not an object or array."];
            else if (text is { Length: > ContactAttributes.MaxValueLength })
                errors[path] = [$"At most {ContactAttributes.MaxValueLength} characters."];
            else
                changes[key] = text;
        }
        return changes;
    }

    private static string ApplyAttributes(string json, Dictionary<string, string?>? changes)
    {
        if (changes is null || changes.Count == 0) return json;
        var merged = ContactAttributes.Parse(json);
        foreach (var (key, value) in changes)
        {
            if (value is null) merged.Remove(key);
            else merged[key] = value;
        }
        return ContactAttributes.Serialize(merged);
    }

    private static async Task<IResult?> CheckListIdsAsync(SendCraftDbContext db, List<long>? listIds, CancellationToken ct)
    {
        if (listIds is null || listIds.Count == 0) return null;
        var wanted = listIds.Distinct().ToList();
        var known = (await db.ContactLists.Where(l => wanted.Contains(l.Id)).Select(l => l.Id).ToListAsync(ct)).ToHashSet();
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < listIds.Count; i++)
            if (!known.Contains(listIds[i])) errors[$"list_ids[{i}]"] = ["No list with this id in this workspace."];
        return errors.Count > 0 ? ApiProblems.Validation(errors) : null;
    }
}
