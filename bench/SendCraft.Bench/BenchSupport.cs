using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace SendCraft.Bench;

public sealed record BenchOptions(double Seconds, bool Write)
{
    public static BenchOptions Parse(string[] args)
    {
        var seconds = 3.0;
        var write = true;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--seconds" && i + 1 < args.Length) seconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            else if (args[i] == "--no-write") write = false;
        }
        return new BenchOptions(seconds, write);
    }
}

/// <summary>Machine facts printed beside every result: numbers mean little without them.</summary>
public static class Machine
{
    public static string Describe()
    {
        var cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return $"{Environment.ProcessorCount} cores, {cpu}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})";
    }
}

/// <summary>One measured case: median operations per wall-clock second and per CPU second of this process.</summary>
public sealed record CaseResult(string Name, double PerSecond, double PerCpuSecond);

/// <summary>
/// A plain Stopwatch runner for single-threaded cases. After a warm-up of every case (tiered JIT and PGO settle),
/// the cases run in interleaved rounds (A, B, C, A, B, C, ...) so that they share whatever else the machine is doing;
/// each case reports its median round. Besides wall-clock rate it reports operations per CPU second of this process
/// (GC included), which stays meaningful on a machine shared with other work.
/// </summary>
public static class Measure
{
    public const int Rounds = 7;

    public static async Task<IReadOnlyList<CaseResult>> CompareAsync(IReadOnlyList<(string Name, Func<int, ValueTask> Op)> cases, double seconds)
    {
        var slice = TimeSpan.FromSeconds(seconds / Rounds);
        foreach (var (_, op) in cases) await RunForAsync(op, TimeSpan.FromSeconds(Math.Min(1.0, seconds / 3)));
        var wall = cases.Select(_ => new List<double>()).ToArray();
        var cpu = cases.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < Rounds; r++)
        {
            for (var c = 0; c < cases.Count; c++)
            {
                var (count, elapsed, cpuTime) = await RunForAsync(cases[c].Op, slice);
                wall[c].Add(count / elapsed.TotalSeconds);
                cpu[c].Add(count / cpuTime.TotalSeconds);
            }
        }
        return cases.Select((c, i) => new CaseResult(c.Name, Median(wall[i]), Median(cpu[i]))).ToList();
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static async Task<(long Count, TimeSpan Elapsed, TimeSpan Cpu)> RunForAsync(Func<int, ValueTask> op, TimeSpan duration)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        long count = 0;
        while (stopwatch.Elapsed < duration)
        {
            // Check the clock every 16 operations: reading it costs more than a tiny operation.
            for (var k = 0; k < 16; k++) await op((int)count + k);
            count += 16;
        }
        var elapsed = stopwatch.Elapsed;
        process.Refresh();
        return (count, elapsed, process.TotalProcessorTime - cpuBefore);
    }
}

/// <summary>Each benchmark owns one marked section of docs/benchmarks.md and rewrites only that section.</summary>
public static class Report
{
    public static void WriteSection(string name, string markdown)
    {
        var path = Path.Combine(FindRepositoryRoot(), "docs", "benchmarks.md");
        var begin = $"<!-- bench:{name} -->";
        var end = $"<!-- /bench:{name} -->";
        var existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\nWritten by `bench/run <name>`; each section is replaced by its own benchmark's latest run.\n";
        var section = $"{begin}\n{markdown.TrimEnd()}\n{end}";
        var start = existing.IndexOf(begin, StringComparison.Ordinal);
        var stop = existing.IndexOf(end, StringComparison.Ordinal);
        var updated = start >= 0 && stop > start
            ? existing[..start] + section + existing[(stop + end.Length)..]
            : existing.TrimEnd() + "\n\n" + section + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, updated, new UTF8Encoding(false));
        Console.WriteLine($"Written to {path}");
    }

    internal static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SendCraft.sln"))) return dir.FullName;
        return Environment.CurrentDirectory;
    }
}
