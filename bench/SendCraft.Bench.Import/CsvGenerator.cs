using System.Globalization;
using System.Text;

namespace SendCraft.Bench.Import;

/// <summary>
/// A deterministic contact CSV: realistic names, three attribute columns (city, plan, signup_date), about 1% bad
/// rows (broken emails and rows with a missing column) and about 0.5% repeats of an earlier email.
/// The same seed and row count always give the same bytes.
/// </summary>
public static class CsvGenerator
{
    private static readonly string[] First =
    [
        "Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mateo", "Isabella", "Levi",
        "Charlotte", "Leo", "Aisha", "Yusuf", "Mei", "Hiroshi", "Chloé", "Jürgen", "Zoë", "Søren", "Ana", "João", "Priya", "Arjun",
        "Fatima", "Omar", "Ingrid", "Lars", "Camille", "Luca", "Giulia", "Mateus", "Nadia", "Ivan", "Olga", "Kwame", "Ama", "Tomás",
    ];

    private static readonly string[] Last =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Müller", "Schmidt",
        "Schneider", "Dubois", "Lefèvre", "Rossi", "Bianchi", "Silva", "Santos", "Kowalski", "Nowak", "Novák", "Jensen", "Hansen",
        "Tanaka", "Suzuki", "Kim", "Lee", "Park", "Chen", "Wang", "Singh", "Patel", "Khan", "Okafor", "Mensah", "O'Brien", "Murphy",
    ];

    private static readonly string[] Cities =
        ["Berlin", "Paris", "London", "Madrid", "Rome", "Lisbon", "Warsaw", "Prague", "Vienna", "Oslo", "Tokyo", "Seoul", "Lagos", "Accra", "New York", "São Paulo", "Mumbai"];

    private static readonly string[] Domains = ["example.com", "mail.example.org", "example.net", "post.example.de", "inbox.example.fr"];
    private static readonly string[] Plans = ["free", "starter", "pro", "enterprise"];

    public static void Write(string path, int rows, int seed = 20261125)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16);
        writer.Write("email,name,city,plan,signup_date\n");
        var start = new DateOnly(2018, 1, 1);
        for (var i = 1; i <= rows; i++)
        {
            var first = First[random.Next(First.Length)];
            var last = Last[random.Next(Last.Length)];
            var n = random.Next(100);
            var email = $"{Ascii(first)}.{Ascii(last)}.{i}@{Domains[random.Next(Domains.Length)]}".ToLowerInvariant();
            if (n == 0)
            {
                // 1%: bad rows, half a broken email, half a missing column
                if (random.Next(2) == 0) writer.Write($"{Ascii(first)}.{Ascii(last)}.{i}-at-example.com,{first} {last},Berlin,free,2020-01-01\n");
                else writer.Write($"{email},{first} {last},Berlin\n");
                continue;
            }
            if (n == 1 && random.Next(2) == 0 && i > 10)
            {
                // 0.5%: a repeat of an earlier row's email, with a newer plan
                var j = random.Next(1, i);
                email = $"repeat.{j % 1000}@example.com";
            }
            var city = Cities[random.Next(Cities.Length)];
            var quotedCity = city.Contains(' ') ? $"\"{city}\"" : city;
            var name = last.Contains('\'') ? $"\"{first} {last}\"" : $"{first} {last}";
            var signup = start.AddDays(random.Next(3000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            writer.Write($"{email},{name},{quotedCity},{Plans[random.Next(Plans.Length)]},{signup}\n");
        }
    }

    private static string Ascii(string s) =>
        new(s.Normalize(NormalizationForm.FormD).Where(c => c < 128 && char.IsLetter(c)).ToArray());
}
