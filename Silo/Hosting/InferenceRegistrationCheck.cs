using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Silo;

/// <summary>
/// Stops the silo at start, with a clear message, when the inference services are missing, instead
/// of failing on the first input. Until Inference offers <c>services.AddEmotionInference(configuration)</c>
/// (real recognizers, speech segmenter factory and fusion model from the model bundle) nothing
/// registers them; then Program.cs calls that and this check stays as a guard.
/// </summary>
internal sealed class InferenceRegistrationCheck(IServiceProvider services) : IHostedService
{
    private static readonly Type[] Required =
    [
        typeof(ITextRecognizer), typeof(ISpeechRecognizer), typeof(IFaceRecognizer),
        typeof(ITextEmbedder), typeof(ISpeechSegmenterFactory), typeof(FusionModel),
    ];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var missing = Required.Where(t => services.GetService(t) is null).Select(t => t.Name).ToList();
        return missing.Count == 0
            ? Task.CompletedTask
            : throw new InvalidOperationException(
                $"Inference is not configured: {string.Join(", ", missing)} missing. Register the model bundle (AddEmotionInference) before starting the silo.");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
