using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Silo;

/// <summary>
/// Placeholder until Inference offers <c>services.AddEmotionInference(configuration)</c> (real
/// recognizers, speech segmenter factory and fusion model from the model bundle): then this file
/// goes and Program.cs calls that instead. Until then the silo stops at start with a clear message
/// rather than failing on the first input.
/// </summary>
internal static class PendingInferenceRegistration
{
    public static bool IsInferenceRegistered(this IServiceCollection services) =>
        services.Any(d => d.ServiceType == typeof(ITextRecognizer))
        && services.Any(d => d.ServiceType == typeof(ISpeechRecognizer))
        && services.Any(d => d.ServiceType == typeof(IFaceRecognizer))
        && services.Any(d => d.ServiceType == typeof(ITextEmbedder))
        && services.Any(d => d.ServiceType == typeof(ISpeechSegmenterFactory))
        && services.Any(d => d.ServiceType == typeof(FusionModel));
}
