using SendCraft.Bench;

// One runner, one case per benchmark (the import benchmark has its own project: bench/import.sh).
var options = BenchOptions.Parse(args.Skip(1).ToArray());
switch (args.FirstOrDefault())
{
    case "render":
        await RenderBenchmark.RunAsync(options);
        return 0;
    case "sending":
        await SendingBenchmark.RunAsync(args.Skip(1).ToArray());
        return 0;
    case "claim":
        await ClaimBenchmark.RunAsync(args.Skip(1).ToArray());
        return 0;
    case "campaign":
        await CampaignBenchmark.RunAsync(args.Skip(1).ToArray());
        return 0;
    case "tracking":
        await TrackingBenchmark.RunAsync(args.Skip(1).ToArray());
        return 0;
    case "dashboard":
        await DashboardBenchmark.RunAsync(args.Skip(1).ToArray());
        return 0;
    case "sending-stages":
        await SendingStages.RunAsync(args.Skip(1).ToArray());
        return 0;
    default:
        Console.Error.WriteLine("usage: bench/run <name> [--seconds N] [--no-write]\nnames: render, sending, sending-stages, claim, campaign, tracking, dashboard");
        return 2;
}
