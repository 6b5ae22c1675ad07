using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>A probability distribution over the seven emotion labels, in <see cref="Labels"/> order.</summary>
/// <param name="Probabilities">Seven probabilities summing to 1.</param>
[GenerateSerializer]
[Immutable]
[Alias("emotion.distribution")]
public sealed record EmotionDistribution([property: Id(0)] ImmutableArray<float> Probabilities)
{
    /// <summary>Label names in class-index order (the product's one label order).</summary>
    public static ImmutableArray<string> Labels { get; } = ["anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"];

    /// <summary>The most probable label's name.</summary>
    public string Top => Probabilities.IsDefaultOrEmpty ? "neutral" : Labels[IndexOfMax(Probabilities)];

    /// <summary>The probability of one label.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Labels"/>.</exception>
    public float this[string label]
    {
        get
        {
            var i = Labels.IndexOf(label);
            return i >= 0 ? Probabilities[i] : throw new ArgumentException($"'{label}' is not an emotion label.", nameof(label));
        }
    }

    private static int IndexOfMax(ImmutableArray<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
