using Emotion.Orleans.Inference;
using Microsoft.Extensions.DependencyInjection;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>Deterministic stand-ins for the models, so these tests check the streaming system, not the models.</summary>
public static class TestInferenceRegistration
{
    public static IServiceCollection AddDeterministicInference(this IServiceCollection services)
    {
        services.AddSingleton<KeywordTextRecognizer>();
        services.AddSingleton<ITextRecognizer>(sp => sp.GetRequiredService<KeywordTextRecognizer>());
        services.AddSingleton<ISpeechRecognizer, LoudnessSpeechRecognizer>();
        services.AddSingleton<IFaceRecognizer, MarkerFaceRecognizer>();
        services.AddSingleton<ITextEmbedder, HashingTextEmbedder>();
        services.AddSingleton<ISpeechSegmenterFactory, EnergySegmenterFactory>();
        services.AddSingleton(TestFusionModel.Create());
        return services;
    }

    private sealed class EnergySegmenterFactory : ISpeechSegmenterFactory
    {
        public ISpeechSegmenter Create() => new EnergySpeechSegmenter();
    }
}
