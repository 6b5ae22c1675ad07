using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

internal static class Synthetic
{
    /// <summary>
    /// n examples, uniform labels; features at <paramref name="informative"/> carry a class-dependent
    /// mean (a fixed random centre per class, scaled by <paramref name="separation"/>), all others are N(0, 1) noise.
    /// </summary>
    public static LabelledFeatures Problem(int n, int width, int[] informative, float separation, int seed)
    {
        var random = new Random(seed);
        var centres = new float[EmotionLabels.Count, informative.Length];
        var centreRandom = new Random(12345);
        for (var c = 0; c < EmotionLabels.Count; c++)
        {
            for (var k = 0; k < informative.Length; k++)
            {
                centres[c, k] = (float)Gaussian(centreRandom) * separation;
            }
        }

        var features = new float[n][];
        var labels = new EmotionLabel[n];
        for (var i = 0; i < n; i++)
        {
            var label = i % EmotionLabels.Count;
            labels[i] = (EmotionLabel)label;
            var x = new float[width];
            for (var j = 0; j < width; j++)
            {
                x[j] = (float)Gaussian(random);
            }

            for (var k = 0; k < informative.Length; k++)
            {
                x[informative[k]] += centres[label, k];
            }

            features[i] = x;
        }

        return new LabelledFeatures(features, labels);
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
