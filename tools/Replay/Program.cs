using Emotion.Orleans.Client;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.Replay;

/// <summary>
/// <c>emotion-replay &lt;call-folder&gt;</c>. A named entry point: the silo's <c>Program</c> is public
/// (for its functional tests), and a second <c>Program</c> would be ambiguous where both are referenced.
/// </summary>
internal static class ReplayProgram
{
    private static async Task<int> Main(string[] args)
    {
        ReplayOptions options;
        try
        {
            options = ReplayOptions.Parse(args);
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

        using var host = ReplayHosting.Build(options);
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
    }
}
