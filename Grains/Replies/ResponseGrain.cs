using System.Collections.Immutable;
using Emotion.Orleans.Inference;
using Orleans.Concurrency;

namespace Emotion.Orleans.Grains;

/// <summary>Suggests agent replies through the configured <see cref="IReplySuggester"/>.</summary>
[StatelessWorker]
public sealed class ResponseGrain(IReplySuggester suggester) : Grain, IResponseGrain
{
    /// <inheritdoc />
    public Task<ReplySuggestion?> Suggest(string emotion, string customerUtterance) =>
        Task.FromResult(EmotionLabels.TryParse(emotion, out var label) ? suggester.Suggest(label, customerUtterance) : null);

    /// <inheritdoc />
    public Task<ReplySuggestion?> Suggest(string emotion, string customerUtterance, ImmutableArray<float> utteranceEmbedding) =>
        Task.FromResult(EmotionLabels.TryParse(emotion, out var label) ? suggester.Suggest(label, customerUtterance, utteranceEmbedding.AsSpan()) : null);
}
