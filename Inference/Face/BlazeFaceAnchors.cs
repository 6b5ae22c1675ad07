namespace Emotion.Orleans.Inference;

/// <summary>
/// The 896 SSD anchor centres of MediaPipe's short-range BlazeFace (128×128 input): a 16×16 grid
/// with 2 anchors per cell (stride 8) followed by an 8×8 grid with 6 per cell (three stride-16
/// layers merged). Anchor sizes are fixed at 1, so only the centres matter.
/// </summary>
public static class BlazeFaceAnchors
{
    /// <summary>Input side of the model in pixels; also the box coordinate scale.</summary>
    public const int InputSize = 128;

    /// <summary>Number of anchors (= rows of the model's score output).</summary>
    public const int Count = 896;

    /// <summary>Anchor centres as (x, y) in [0, 1], in the model's output order.</summary>
    public static IReadOnlyList<(float X, float Y)> Centres { get; } = Build();

    private static (float X, float Y)[] Build()
    {
        var centres = new List<(float X, float Y)>(Count);
        foreach (var (grid, perCell) in new[] { (16, 2), (8, 6) })
        {
            for (var y = 0; y < grid; y++)
            {
                for (var x = 0; x < grid; x++)
                {
                    for (var a = 0; a < perCell; a++)
                    {
                        centres.Add(((x + 0.5f) / grid, (y + 0.5f) / grid));
                    }
                }
            }
        }

        return [.. centres];
    }
}
