using Emotion.Orleans.Client;
using Emotion.Orleans.Inference;
using Emotion.Orleans.LoadGenerator;
using Emotion.Orleans.Replay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

SyntheticMedia media;
try
{
    media = SyntheticMedia.Load(SyntheticMedia.DefaultFolder, options.Face);
}
catch (Exception e) when (e is IOException or InvalidDataException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

if (options.Retention is { } retention && options.Redis is null)
{
    // The embedded silo reads its configuration (appsettings.json, then the environment) as a silo does.
    Environment.SetEnvironmentVariable("Calls__EndedCallRetention", retention.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
}

IHost host;
IHost? models = null;
try
{
    host = ReplayHosting.Build(new ReplayOptions(SyntheticMedia.DefaultFolder, 1, "load", options.Redis, options.ClusterId, options.ServiceId));
    if (options.Redis is not null && options.Ceiling)
    {
        // The ceiling runs the models in this process: an embedded silo's services, never started.
        try
        {
            models = ReplayHosting.Build(new ReplayOptions(SyntheticMedia.DefaultFolder, 1, "load", null, options.ClusterId, options.ServiceId));
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"ceiling skipped: {e.Message}");
        }
    }
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

if (options.StorageCostOnly)
{
    StorageCost.Run(host.Services, Console.Out, TimeSpan.FromSeconds(1.5));
    host.Dispose();
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    await host.StartAsync(cancel.Token);
}
catch (Exception e) when (e is ModelBundleException or Microsoft.Extensions.Options.OptionsValidationException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

try
{
    var benchmark = new LoadBenchmark(host.Services.GetRequiredService<EmotionCallClient>(), media, options, Console.Out);
    var target = options.Redis is null
        ? $"embedded silo (in this process, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC)"
        : "cluster through Redis (CPU figures are this client's)";
    var report = await benchmark.RunAsync((models ?? host).Services, target, BenchmarkReport.CommitOf(Environment.CurrentDirectory), cancel.Token);
    var (json, markdown) = report.Write(options.OutputFolder ?? BenchmarkReport.DefaultFolder(Environment.CurrentDirectory));
    Console.WriteLine();
    Console.Write(report.Summary());
    Console.WriteLine($"results: {json}");
    Console.WriteLine($"         {markdown}");
    return report.MaxCallsHeld > 0 ? 0 : 3;
}
catch (OperationCanceledException)
{
    return 130;
}
finally
{
    await host.StopAsync(CancellationToken.None);
    host.Dispose();
    models?.Dispose();
}
