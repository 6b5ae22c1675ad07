using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// Passes every batch to the real text recognizer and notes its size, so tests can see how the
/// workers batch requests. Answers are the model's own.
/// </summary>
public sealed class BatchCountingTextRecognizer(ITextRecognizer model) : ITextRecognizer
{
    private readonly List<int> _batchSizes = [];

    /// <summary>Sizes of the batches run so far, in order.</summary>
    public IReadOnlyList<int> BatchSizes
    {
        get
        {
            lock (_batchSizes)
            {
                return [.. _batchSizes];
            }
        }
    }

    public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<string> texts)
    {
        var predictions = model.Recognize(texts);
        lock (_batchSizes)
        {
            _batchSizes.Add(texts.Count);
        }

        return predictions;
    }
}
