namespace Emotion.Orleans.Inference;

/// <summary>
/// The text head's input with dialogue context: [e(utterance); mean of e(previous turns)], the
/// second half zero when the utterance opens the dialogue; a speaker-aware head reads a third part,
/// e(the same speaker's previous turn), zero when the speaker has not spoken before (people carry
/// their own mood from turn to turn more than they take on the other side's). Training (MELD
/// dialogue order and speakers) and the live call session build it the same way.
/// </summary>
public static class DialogueContext
{
    /// <summary>Previous turns the product's text head reads by default.</summary>
    public const int DefaultTurns = 2;

    /// <summary>The utterance embedding followed by the mean embedding of <paramref name="previous"/> (zeros when empty).</summary>
    /// <exception cref="ArgumentException">A previous embedding has another width.</exception>
    public static float[] Features(ReadOnlySpan<float> utterance, IReadOnlyList<float[]> previous)
    {
        var output = new float[2 * utterance.Length];
        Write(utterance, previous, output);
        return output;
    }

    /// <summary>
    /// <see cref="Features(ReadOnlySpan{float}, IReadOnlyList{float[]})"/> followed by the embedding of
    /// the same speaker's previous turn (zeros when null): the speaker-aware head's input.
    /// </summary>
    /// <exception cref="ArgumentException">A previous embedding has another width.</exception>
    public static float[] Features(ReadOnlySpan<float> utterance, IReadOnlyList<float[]> previous, float[]? sameSpeakerPrevious)
    {
        var width = utterance.Length;
        if (sameSpeakerPrevious is not null && sameSpeakerPrevious.Length != width)
        {
            throw new ArgumentException($"Context embeddings must be {width} wide; got {sameSpeakerPrevious.Length}.", nameof(sameSpeakerPrevious));
        }

        var output = new float[3 * width];
        Write(utterance, previous, output);
        sameSpeakerPrevious?.CopyTo(output, 2 * width);
        return output;
    }

    // [utterance; mean of previous] into the first 2 × width of output, which starts zeroed.
    private static void Write(ReadOnlySpan<float> utterance, IReadOnlyList<float[]> previous, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(previous);
        var width = utterance.Length;
        utterance.CopyTo(output);
        if (previous.Count == 0)
        {
            return;
        }

        var context = output.Slice(width, width);
        foreach (var p in previous)
        {
            if (p.Length != width)
            {
                throw new ArgumentException($"Context embeddings must be {width} wide; got {p.Length}.", nameof(previous));
            }

            System.Numerics.Tensors.TensorPrimitives.Add(context, p, context);
        }

        System.Numerics.Tensors.TensorPrimitives.Multiply(context, 1f / previous.Count, context);
    }

    /// <summary>The last <paramref name="turns"/> entries of <paramref name="history"/>, oldest first.</summary>
    public static IReadOnlyList<T> Last<T>(IReadOnlyList<T> history, int turns)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfNegative(turns);
        return history.Count <= turns ? history : [.. history.Skip(history.Count - turns)];
    }
}
