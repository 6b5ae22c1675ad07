using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// Passes every batch to the real text recognizer and notes its size and the turns it held, so
/// tests can see how the workers batch requests and which dialogue context the calls passed.
/// Answers are the model's own.
/// </summary>
public sealed class BatchCountingTextRecognizer(ITextRecognizer model) : ITextRecognizer
{
    private readonly List<int> _batchSizes = [];
    private readonly List<TextTurn> _turns = [];

    /// <summary>Every turn recognised so far, in order.</summary>
    public IReadOnlyList<TextTurn> Turns
    {
        get
        {
            lock (_batchSizes)
            {
                return [.. _turns];
            }
        }
    }

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

    public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<TextTurn> turns) => [.. RecognizeTurns(turns).Select(r => r.Prediction)];

    public IReadOnlyList<TextRecognition> RecognizeTurns(IReadOnlyList<TextTurn> turns)
    {
        var recognitions = model.RecognizeTurns(turns);
        lock (_batchSizes)
        {
            _batchSizes.Add(turns.Count);
            _turns.AddRange(turns);
        }

        return recognitions;
    }
}
