namespace Emotion.Orleans.Inference;

/// <summary>Limits of the text encoder; bound from the <c>Inference:Text</c> section.</summary>
public sealed class TextEncoderOptions
{
    /// <summary>Longest token sequence fed to the model, [CLS] and [SEP] included; longer texts are cut.</summary>
    public int MaxTokens { get; set; } = MiniLmTokenizer.DefaultMaxTokens;

    /// <summary>Longest text accepted, in UTF-16 code units; longer texts are refused as <see cref="InputErrorKind.TooLarge"/>.</summary>
    public int MaxCharacters { get; set; } = 4_000;
}
