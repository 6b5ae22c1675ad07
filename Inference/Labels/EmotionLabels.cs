using System.Collections.Frozen;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Names of the seven classes and the one place where every dataset's labels are mapped onto them.
/// </summary>
public static class EmotionLabels
{
    /// <summary>Number of classes every classifier outputs.</summary>
    public const int Count = 7;

    /// <summary>All labels in class-index order.</summary>
    public static IReadOnlyList<EmotionLabel> All { get; } =
        [EmotionLabel.Anger, EmotionLabel.Disgust, EmotionLabel.Fear, EmotionLabel.Joy, EmotionLabel.Neutral, EmotionLabel.Sadness, EmotionLabel.Surprise];

    /// <summary>Lower-case names in class-index order, as written in bundles and reports.</summary>
    public static IReadOnlyList<string> Names { get; } = ["anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"];

    private static readonly FrozenDictionary<string, EmotionLabel> Aliases = new Dictionary<string, EmotionLabel>(StringComparer.OrdinalIgnoreCase)
    {
        ["anger"] = EmotionLabel.Anger,
        ["angry"] = EmotionLabel.Anger,
        ["disgust"] = EmotionLabel.Disgust,
        ["disgusted"] = EmotionLabel.Disgust,
        ["fear"] = EmotionLabel.Fear,
        ["fearful"] = EmotionLabel.Fear,
        ["joy"] = EmotionLabel.Joy,
        ["happy"] = EmotionLabel.Joy,
        ["happiness"] = EmotionLabel.Joy,
        ["neutral"] = EmotionLabel.Neutral,
        ["calm"] = EmotionLabel.Neutral,
        ["sadness"] = EmotionLabel.Sadness,
        ["sad"] = EmotionLabel.Sadness,
        ["surprise"] = EmotionLabel.Surprise,
        ["surprised"] = EmotionLabel.Surprise,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The lower-case name of a label.</summary>
    public static string Name(EmotionLabel label) => Names[(int)label];

    /// <summary>
    /// Maps a label written by MELD, FER2013 (original or renamed), RAVDESS (word form), CREMA-D
    /// word forms or GoEmotions' Ekman groups onto the project's label space.
    /// </summary>
    /// <exception cref="FormatException">The name is not one of the known labels.</exception>
    public static EmotionLabel Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryParse(name, out var label)
            ? label
            : throw new FormatException($"'{name}' is not an emotion label; expected one of: {string.Join(", ", Names)}.");
    }

    /// <summary>Maps a dataset label name; false when it is not one of the known labels.</summary>
    public static bool TryParse(string name, out EmotionLabel label) => Aliases.TryGetValue(name.Trim(), out label);

    /// <summary>
    /// Maps the RAVDESS file-name emotion code (01 neutral, 02 calm, 03 happy, 04 sad, 05 angry,
    /// 06 fearful, 07 disgust, 08 surprised); calm counts as neutral.
    /// </summary>
    /// <exception cref="FormatException">The code is outside 1–8.</exception>
    public static EmotionLabel FromRavdessCode(int code) => code switch
    {
        1 or 2 => EmotionLabel.Neutral,
        3 => EmotionLabel.Joy,
        4 => EmotionLabel.Sadness,
        5 => EmotionLabel.Anger,
        6 => EmotionLabel.Fear,
        7 => EmotionLabel.Disgust,
        8 => EmotionLabel.Surprise,
        _ => throw new FormatException($"RAVDESS emotion code {code} is outside 01–08."),
    };

    /// <summary>
    /// Maps the CREMA-D emotion code (ANG, DIS, FEA, HAP, NEU, SAD); CREMA-D has no surprise.
    /// </summary>
    /// <exception cref="FormatException">The code is not a CREMA-D emotion.</exception>
    public static EmotionLabel FromCremaDCode(string code) => code.ToUpperInvariant() switch
    {
        "ANG" => EmotionLabel.Anger,
        "DIS" => EmotionLabel.Disgust,
        "FEA" => EmotionLabel.Fear,
        "HAP" => EmotionLabel.Joy,
        "NEU" => EmotionLabel.Neutral,
        "SAD" => EmotionLabel.Sadness,
        _ => throw new FormatException($"'{code}' is not a CREMA-D emotion code."),
    };

    /// <summary>
    /// Order of the pretrained FER2013 expression model's seven outputs (angry, disgust, fear,
    /// happy, sad, surprise, neutral), as indices into the project's label space.
    /// </summary>
    public static IReadOnlyList<EmotionLabel> Fer2013ModelOutputOrder { get; } =
        [EmotionLabel.Anger, EmotionLabel.Disgust, EmotionLabel.Fear, EmotionLabel.Joy, EmotionLabel.Sadness, EmotionLabel.Surprise, EmotionLabel.Neutral];
}
