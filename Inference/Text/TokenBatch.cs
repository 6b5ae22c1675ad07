namespace Emotion.Orleans.Inference;

/// <summary>
/// Token ids of several texts padded to the longest one, in the row-major [Count, SequenceLength]
/// layout of the BERT inputs <c>input_ids</c>, <c>attention_mask</c> and <c>token_type_ids</c>.
/// </summary>
public sealed class TokenBatch
{
    private readonly int[] _lengths;

    internal TokenBatch(int count, int sequenceLength, int[] lengths, long[] inputIds, long[] attentionMask, long[] tokenTypeIds)
    {
        Count = count;
        SequenceLength = sequenceLength;
        _lengths = lengths;
        InputIdsArray = inputIds;
        AttentionMaskArray = attentionMask;
        TokenTypeIdsArray = tokenTypeIds;
    }

    /// <summary>Number of texts (rows).</summary>
    public int Count { get; }

    /// <summary>Tokens per row: the longest text's length including [CLS] and [SEP].</summary>
    public int SequenceLength { get; }

    /// <summary>Token ids, [PAD] after each text's [SEP].</summary>
    public ReadOnlySpan<long> InputIds => InputIdsArray;

    /// <summary>1 for real tokens, 0 for padding.</summary>
    public ReadOnlySpan<long> AttentionMask => AttentionMaskArray;

    /// <summary>All 0: every text is a single segment.</summary>
    public ReadOnlySpan<long> TokenTypeIds => TokenTypeIdsArray;

    internal long[] InputIdsArray { get; }

    internal long[] AttentionMaskArray { get; }

    internal long[] TokenTypeIdsArray { get; }

    /// <summary>Real tokens (including [CLS] and [SEP]) in row <paramref name="row"/>.</summary>
    public int Length(int row) => _lengths[row];

    /// <summary>The unpadded token ids of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<long> Row(int row) => InputIds.Slice(row * SequenceLength, _lengths[row]);
}
