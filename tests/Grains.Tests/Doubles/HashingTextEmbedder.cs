using System.Numerics.Tensors;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>Test double for the sentence embedder: L2-normalised bag of hashed lower-case words.</summary>
public sealed class HashingTextEmbedder : ITextEmbedder
{
    public int Dimension => 256;

    public float[][] Embed(IReadOnlyList<string> texts) => [.. texts.Select(EmbedOne)];

    private float[] EmbedOne(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidInputException(Modality.Text, InputErrorKind.Empty, "Text holds nothing to embed.");
        }

        var v = new float[Dimension];
        foreach (var word in text.ToLowerInvariant().Split([' ', ',', '.', '!', '?', '\''], StringSplitOptions.RemoveEmptyEntries))
        {
            v[(int)((uint)StableHash(word) % Dimension)] += 1f;
        }

        var norm = TensorPrimitives.Norm(v);
        if (norm > 0)
        {
            TensorPrimitives.Divide(v, norm, v);
        }

        return v;
    }

    private static int StableHash(string word)
    {
        var h = 17;
        foreach (var c in word)
        {
            h = unchecked((h * 31) + c);
        }

        return h;
    }
}
