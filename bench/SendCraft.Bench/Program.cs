using SendCraft.Bench;

// One runner, one case per benchmark. Add import, sending, ... as further cases.
var options = BenchOptions.Parse(args.Skip(1).ToArray());
switch (args.FirstOrDefault())
{
    case "render":
        await RenderBenchmark.RunAsync(options);
        return 0;
    case "sending":
        await SendingBenchmark.RunAsync(args.Skip(1).ToArray());
        return 0;
    default:
        Console.Error.WriteLine("usage: bench/run <name> [--seconds N] [--no-write]\nnames: render, sending");
        return 2;
}
