using Emotion.Orleans.Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace Emotion.Orleans.Grains;

/// <summary>Registers the call system's services on a silo.</summary>
public static class EmotionCallsHostingExtensions
{
    /// <summary>
    /// The grains' options (validated on start), metrics, GPU-preferring placement of the inference
    /// workers and the default reply suggester. The host chooses the rest: the stream provider
    /// <see cref="CallStreams.Provider"/> (with the pub-sub store <see cref="CallStreams.PubSubStore"/>
    /// it needs) and grain storage <see cref="CallStreams.Storage"/> (memory or Redis); recognizers,
    /// Inference's <see cref="SpeechSegmenterFactory"/> and the fusion model come from the inference
    /// registration (<see cref="InferenceServiceCollectionExtensions.AddEmotionInference"/>).
    /// </summary>
    public static ISiloBuilder AddEmotionCalls(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        silo.Services.AddEmotionCallServices(configuration);
        return silo;
    }

    /// <summary>The services of <see cref="AddEmotionCalls"/>, on a service collection.</summary>
    public static IServiceCollection AddEmotionCallServices(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CallSessionOptions>()
            .Bind(configuration.GetSection(CallSessionOptions.Section))
            .Validate(o => o.MaxChunkDuration > TimeSpan.Zero, "Calls:MaxChunkDuration must be positive.")
            .Validate(o => o.MaxAudioGap >= TimeSpan.Zero && o.MaxAudioGap <= TimeSpan.FromMinutes(10), "Calls:MaxAudioGap must be in 0–10 min (a longer gap restarts speech segmentation).")
            .Validate(o => o.MaxCallDuration > TimeSpan.Zero && o.MaxCallDuration <= TimeSpan.FromHours(24), "Calls:MaxCallDuration must be in (0, 24 h].")
            .Validate(o => double.IsFinite(o.MaxFaceRate) && o.MaxFaceRate is > 0 and <= 1000, "Calls:MaxFaceRate must be in (0, 1000] frames per second.")
            .Validate(o => o.IdleTimeout > TimeSpan.Zero && o.IdleTimeout <= TimeSpan.FromDays(1), "Calls:IdleTimeout must be in (0, 1 day].")
            .Validate(o => o.EndedCallRetention > TimeSpan.Zero && o.EndedCallRetention <= TimeSpan.FromDays(30), "Calls:EndedCallRetention must be in (0, 30 days].")
            .Validate(o => o.TimelinePageSize is > 0 and <= CallTimeline.MaxPageSize, "Calls:TimelinePageSize must be in 1–1000.")
            .ValidateOnStart();
        services.AddOptions<FusionOptions>()
            .Bind(configuration.GetSection(FusionOptions.Section))
            .Validate(o => o.CadenceInterval > TimeSpan.Zero, "Fusion:CadenceInterval must be positive.")
            .Validate(o => o.EvidenceMaxAge > TimeSpan.Zero, "Fusion:EvidenceMaxAge must be positive.")
            .ValidateOnStart();
        services.AddOptions<WorkerOptions>()
            .Bind(configuration.GetSection(WorkerOptions.Section))
            .Validate(o => o.MaxBatchSize is > 0 and <= 256, "Workers:MaxBatchSize must be in 1–256.")
            .Validate(o => o.MaxFaceBatchSize is > 0 and <= 256, "Workers:MaxFaceBatchSize must be in 1–256.")
            .Validate(o => o.MaxConcurrentRuns is > 0 and <= 256, "Workers:MaxConcurrentRuns must be in 1–256.")
            .Validate(o => o.MaxVoiceActivityBatchSize is > 0 and <= 1024, "Workers:MaxVoiceActivityBatchSize must be in 1–1024.")
            // Renamed when text got its own window: an old setting would otherwise be ignored without a word.
            .Validate(_ => configuration[$"{WorkerOptions.Section}:BatchWindow"] is null, "Workers:BatchWindow is now Workers:SpeechBatchWindow (speech); text has its own, Workers:TextBatchWindow.")
            .Validate(o => o.SpeechBatchWindow >= TimeSpan.Zero && o.SpeechBatchWindow <= TimeSpan.FromSeconds(1), "Workers:SpeechBatchWindow must be in 0–1 s.")
            .Validate(o => o.TextBatchWindow >= TimeSpan.Zero && o.TextBatchWindow <= TimeSpan.FromSeconds(1), "Workers:TextBatchWindow must be in 0–1 s.")
            .Validate(o => o.FaceBatchWindow >= TimeSpan.Zero && o.FaceBatchWindow <= TimeSpan.FromSeconds(1), "Workers:FaceBatchWindow must be in 0–1 s.")
            .Validate(o => o.VoiceActivityBatchWindow >= TimeSpan.Zero && o.VoiceActivityBatchWindow <= TimeSpan.FromSeconds(1), "Workers:VoiceActivityBatchWindow must be in 0–1 s.")
            .ValidateOnStart();
        services.AddEmotionMetrics();
        services.TryAddSingleton(sp => new ModelRunSlots(sp.GetRequiredService<IOptions<WorkerOptions>>().Value.MaxConcurrentRuns));
        services.TryAddSingleton(sp => new LowPriorityRunThreads(sp.GetRequiredService<IOptions<WorkerOptions>>().Value.MaxConcurrentRuns, "face-run", sp.GetService<ILogger<LowPriorityRunThreads>>()));
        services.TryAddKeyedSingleton(CallSessionOptions.ClockKey, TimeProvider.System);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => ReplyBank.LoadDefault());
        services.TryAddSingleton<IReplySuggester, EmbeddingReplySuggester>();
        services.TryAddSingleton(sp =>
        {
            var workers = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
            return new VoiceActivityBatcher(
                sp.GetRequiredService<SpeechSegmenterFactory>().Vad,
                sp.GetRequiredService<ModelRunSlots>(),
                workers.MaxVoiceActivityBatchSize,
                sp.GetService<EmotionMetrics>(),
                workers.VoiceActivityBatchWindow,
                sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<ISpeechSegmenterFactory>(sp => new VadSpeechSegmenterFactory(sp.GetRequiredService<SpeechSegmenterFactory>(), sp.GetRequiredService<VoiceActivityBatcher>()));
        services.AddPlacementFilter<PreferGpuSiloPlacementFilterStrategy, PreferGpuSiloPlacementFilterDirector>(ServiceLifetime.Singleton);
        return services;
    }
}
