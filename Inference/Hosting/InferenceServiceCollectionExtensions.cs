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
    /// Binds <see cref="InferenceOptions"/> from the <c>Inference</c> section (validated when the host
    /// starts) and registers, as singletons over one <see cref="InferenceModels"/>:
    /// <see cref="ITextRecognizer"/>, <see cref="ITextEmbedder"/>, <see cref="IFaceRecognizer"/> and
    /// <see cref="FusionModel"/>. A hosted service loads the models while the host starts, so a missing
    /// or mismatched bundle stops the host with a <see cref="ModelBundleException"/> instead of failing
    /// the first request. Registering twice has no further effect.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application configuration (its <c>Inference</c> section is read).</param>
    public static IServiceCollection AddEmotionInference(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<InferenceOptions>()
            .Bind(configuration.GetSection(InferenceOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>());
        services.TryAddSingleton(sp => new InferenceModels(sp.GetRequiredService<IOptions<InferenceOptions>>().Value, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<ITextEmbedder>(sp => sp.GetRequiredService<InferenceModels>().TextEncoder);
        services.TryAddSingleton<ITextRecognizer>(sp => sp.GetRequiredService<InferenceModels>().TextRecognizer);
        services.TryAddSingleton<IFaceRecognizer>(sp => sp.GetRequiredService<InferenceModels>().FaceRecognizer);
        services.TryAddSingleton(sp => sp.GetRequiredService<InferenceModels>().Fusion);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, InferenceStartup>());
        return services;
    }
}
