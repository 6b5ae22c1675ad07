using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.Inference;

/// <summary>Registers the product's models and recognizers.</summary>
public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="InferenceOptions"/> from the <c>Inference</c> section and registers, as
    /// singletons over one <see cref="InferenceModels"/>: <see cref="ITextRecognizer"/>,
    /// <see cref="ITextEmbedder"/>, <see cref="ISpeechRecognizer"/>, <see cref="IFaceRecognizer"/>,
    /// <see cref="SpeechSegmenterFactory"/> (one <see cref="SpeechSegmenter"/> per call) and
    /// <see cref="FusionModel"/>. A hosted service resolves them while the host starts, so invalid
    /// options stop the host with an <see cref="OptionsValidationException"/> and a missing or
    /// mismatched bundle with a <see cref="ModelBundleException"/>, before the first request.
    /// Services registered after this call replace these (test doubles); when all are replaced,
    /// neither the options nor the models are touched. Registering twice has no further effect. An
    /// <see cref="IInferenceStageObserver"/> registered in the container (before or after this call) is
    /// given to the recognizers, which then report each batch's stage times to it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application configuration (its <c>Inference</c> section is read).</param>
    public static IServiceCollection AddEmotionInference(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        // Validated when InferenceModels first reads them, which InferenceStartup does at start.
        services.AddOptions<InferenceOptions>().Bind(configuration.GetSection(InferenceOptions.Section));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>());
        services.TryAddSingleton(sp => new InferenceModels(sp.GetRequiredService<IOptions<InferenceOptions>>().Value, sp.GetService<ILoggerFactory>(), sp.GetService<IInferenceStageObserver>()));
        services.TryAddSingleton<ITextEmbedder>(sp => sp.GetRequiredService<InferenceModels>().TextEncoder);
        services.TryAddSingleton<ITextRecognizer>(sp => sp.GetRequiredService<InferenceModels>().TextRecognizer);
        services.TryAddSingleton<IFaceRecognizer>(sp => sp.GetRequiredService<InferenceModels>().FaceRecognizer);
        services.TryAddSingleton<ISpeechRecognizer>(sp => sp.GetRequiredService<InferenceModels>().SpeechRecognizer);
        services.TryAddSingleton(sp => sp.GetRequiredService<InferenceModels>().Segmenters);
        services.TryAddSingleton(sp => sp.GetRequiredService<InferenceModels>().Fusion);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InferenceStartup>());
        return services;
    }
}
