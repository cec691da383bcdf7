using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using SendCraft.Web.Data;

namespace SendCraft.Web.Contacts;

/// <summary>
/// CSV export of contacts (a list, or a search result). Streamed to the response in keyset batches, so memory
/// stays flat at any size. Cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR)
/// get a leading apostrophe, which Excel and LibreOffice show as text (CsvHelper's CsvInjection.Escape).
/// Attributes are one JSON column: contacts need not share attribute names, and a streamed export cannot know
/// all of them before the first row.
/// </summary>
public static class ContactCsv
{
    public static readonly CsvWriterOptions WriterOptions = CsvWriterOptions.Default with
    {
        Injection = CsvInjection.Escape,
        WriteByteOrderMark = true, // Excel reads BOM-less CSV as the local ANSI code page
    };

    public static readonly string[] Header = ["email", "name", "status", "created_at", "attributes"];

    private const int BatchSize = 5000;

    /// <summary>Writes <paramref name="contacts"/> (already filtered; ordered here by Id) to <paramref name="output"/>.</summary>
    public static async Task WriteAsync(IQueryable<Contact> contacts, Stream output, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(output, WriterOptions, leaveOpen: true);
        await csv.WriteRecordAsync(Header, ct);
        long after = 0;
        while (true)
        {
            var from = after;
            var batch = await contacts.AsNoTracking().Where(c => c.Id > from).OrderBy(c => c.Id).Take(BatchSize)
                .Select(c => new { c.Id, c.Email, c.Name, c.Status, c.CreatedAt, c.AttributesJson })
                .ToListAsync(ct);
            foreach (var c in batch)
            {
                await csv.WriteRecordAsync([c.Email, c.Name, c.Status.ToString(), c.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), c.AttributesJson], ct);
            }
            if (batch.Count < BatchSize) break;
            after = batch[^1].Id;
        }
        await csv.FlushAsync(ct);
    }
}
