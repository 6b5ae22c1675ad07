using System.Collections.Frozen;
using System.Numerics.Tensors;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>
/// Offline suggester: among the bank's replies for the emotion, the one whose sentence embedding
/// is closest (cosine) to the customer's utterance. The bank is embedded once, on first use.
/// </summary>
public sealed class EmbeddingReplySuggester : IReplySuggester
{
    private readonly ITextEmbedder _embedder;
    private readonly ReplyBank _bank;
    private readonly Lazy<FrozenDictionary<EmotionLabel, float[][]>> _embeddings;

    /// <summary>Creates the suggester.</summary>
    public EmbeddingReplySuggester(ITextEmbedder embedder, ReplyBank bank)
    {
        _embedder = embedder ?? throw new ArgumentNullException(nameof(embedder));
        _bank = bank ?? throw new ArgumentNullException(nameof(bank));
        _embeddings = new(EmbedBank, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc />
    public ReplySuggestion? Suggest(EmotionLabel emotion, string customerUtterance)
    {
        if (!_bank.Replies.TryGetValue(emotion, out var replies) || replies.Count == 0)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(customerUtterance))
        {
            return new ReplySuggestion(replies[0], EmotionLabels.Name(emotion), 0f);
        }

        float[] utterance;
        try
        {
            utterance = _embedder.Embed([customerUtterance])[0];
        }
        catch (InvalidInputException)
        {
            // Text the embedder refuses (e.g. only symbols) still gets the emotion's first reply.
            return new ReplySuggestion(replies[0], EmotionLabels.Name(emotion), 0f);
        }

        return Closest(emotion, replies, utterance);
    }

    /// <inheritdoc />
    /// <remarks>An embedding of another width than this suggester's encoder gives is not used: the words are embedded again.</remarks>
    public ReplySuggestion? Suggest(EmotionLabel emotion, string customerUtterance, ReadOnlySpan<float> utteranceEmbedding)
    {
        if (utteranceEmbedding.Length != _embedder.Dimension || string.IsNullOrWhiteSpace(customerUtterance))
        {
            return Suggest(emotion, customerUtterance);
        }

        return _bank.Replies.TryGetValue(emotion, out var replies) && replies.Count > 0 ? Closest(emotion, replies, utteranceEmbedding) : null;
    }

    private ReplySuggestion Closest(EmotionLabel emotion, IReadOnlyList<string> replies, ReadOnlySpan<float> utterance)
    {
        var candidates = _embeddings.Value[emotion];
        var best = 0;
        var bestSimilarity = float.NegativeInfinity;
        for (var i = 0; i < candidates.Length; i++)
        {
            var similarity = TensorPrimitives.CosineSimilarity(utterance, candidates[i]);
            if (similarity > bestSimilarity)
            {
                best = i;
                bestSimilarity = similarity;
            }
        }

        return new ReplySuggestion(replies[best], EmotionLabels.Name(emotion), bestSimilarity);
    }

    private FrozenDictionary<EmotionLabel, float[][]> EmbedBank() =>
        _bank.Replies.ToFrozenDictionary(kv => kv.Key, kv => _embedder.Embed(kv.Value));
}
