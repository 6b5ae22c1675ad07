namespace Emotion.Orleans.Inference;

/// <summary>Sentence embeddings (MiniLM, mean-pooled, L2-normalised, 384-d).</summary>
public interface ITextEmbedder
{
    /// <summary>Embedding width.</summary>
    int Dimension { get; }

    /// <summary>Embeds each text in one batched model run; results are in input order.</summary>
    /// <exception cref="InvalidInputException">A text is empty, only whitespace, over the length limit or not encodable text; nothing runs.</exception>
    float[][] Embed(IReadOnlyList<string> texts);
}
