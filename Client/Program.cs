using Emotion.Orleans.Client;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

if (args.Length == 0 || args[0] != "replay")
{
    Console.Error.WriteLine(ReplayOptions.Usage);
    return 2;
}

ReplayOptions options;
try
{
    options = ReplayOptions.Parse(args[1..]);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(ReplayOptions.Usage);
    return 2;
}

RecordedCall call;
try
{
    call = RecordedCall.Load(options.Folder, options.CallId);
}
catch (Exception e) when (e is IOException or InvalidDataException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

using var host = ClientHosting.Build(options);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    // The embedded silo's models load here.
    await host.StartAsync(cancel.Token);
}
catch (Exception e) when (e is ModelBundleException or OptionsValidationException)
{
    Console.Error.WriteLine($"The models could not be loaded: {e.Message}");
    return 1;
}

try
{
    var replay = new ReplayCommand(host.Services.GetRequiredService<EmotionCallClient>(), Console.Out);
    await replay.RunAsync(call, options.CallId, options.Speed, cancel.Token);
    return 0;
}
catch (OperationCanceledException)
{
    return 130;
}
finally
{
    await host.StopAsync(CancellationToken.None);
}
