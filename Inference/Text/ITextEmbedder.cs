using System.Diagnostics;

namespace Emotion.Orleans.Inference;

/// <summary>Sentence embeddings (MiniLM, mean-pooled, L2-normalised, 384-d).</summary>
public interface ITextEmbedder
{
    /// <summary>Embedding width.</summary>
    int Dimension { get; }

    /// <summary>Embeds each text in one batched model run; results are in input order.</summary>
    /// <exception cref="InvalidInputException">A text is empty, only whitespace, over the length limit or not encodable text; nothing runs.</exception>
    float[][] Embed(IReadOnlyList<string> texts);

    /// <summary>
    /// Embeds as <see cref="Embed(IReadOnlyList{string})"/>, telling <paramref name="observer"/> how long the
    /// <see cref="InferenceStage.Decode"/> and <see cref="InferenceStage.Model"/> stages took. An embedder
    /// that cannot tell them apart (this default) reports the whole call as the model stage.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="observer">Told each stage's time; none when null.</param>
    /// <exception cref="InvalidInputException">A text is refused; nothing runs and no stage is reported.</exception>
    float[][] Embed(IReadOnlyList<string> texts, IInferenceStageObserver? observer)
    {
        var start = Stopwatch.GetTimestamp();
        var embeddings = Embed(texts);
        if (observer is not null && embeddings.Length > 0)
        {
            observer.StageCompleted(Modality.Text, InferenceStage.Model, embeddings.Length, Stopwatch.GetElapsedTime(start));
        }

        return embeddings;
    }
}
