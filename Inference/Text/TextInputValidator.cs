using System.Globalization;

namespace Emotion.Orleans.Inference;

/// <summary>The checks every text passes before the encoder tokenizes or runs anything.</summary>
public static class TextInputValidator
{
    /// <summary>Checks every text of a batch; the first bad one refuses the whole batch.</summary>
    /// <exception cref="InvalidInputException">A text is empty or whitespace-only, too long, not valid UTF-16, or only control characters.</exception>
    public static void Validate(IReadOnlyList<string> texts, int maxCharacters)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCharacters, 1);
        for (var i = 0; i < texts.Count; i++)
        {
            Validate(texts[i], maxCharacters, i, texts.Count);
        }
    }

    /// <summary>Checks one text.</summary>
    /// <exception cref="InvalidInputException">The text is empty or whitespace-only, too long, not valid UTF-16, or only control characters.</exception>
    public static void Validate(string? text, int maxCharacters) => Validate(text, maxCharacters, 0, 1);

    private static void Validate(string? text, int maxCharacters, int index, int count)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Refuse(InputErrorKind.Empty, index, count, text is null ? "is null" : "is empty or only whitespace");
        }

        if (text.Length > maxCharacters)
        {
            throw Refuse(InputErrorKind.TooLarge, index, count, $"has {text.Length} characters, over the limit of {maxCharacters}");
        }

        var hasContent = false;
        for (var c = 0; c < text.Length; c++)
        {
            var ch = text[c];
            if (char.IsHighSurrogate(ch))
            {
                if (c + 1 == text.Length || !char.IsLowSurrogate(text[c + 1]))
                {
                    throw Refuse(InputErrorKind.InvalidText, index, count, $"holds an unpaired high surrogate at character {c}");
                }

                // A valid pair is a real character (emoji, rare script) even if the vocabulary maps it to [UNK].
                hasContent = true;
                c++;
            }
            else if (char.IsLowSurrogate(ch))
            {
                throw Refuse(InputErrorKind.InvalidText, index, count, $"holds an unpaired low surrogate at character {c}");
            }
            else if (!hasContent && !IsDroppedByTokenizer(ch))
            {
                hasContent = true;
            }
        }

        if (!hasContent)
        {
            throw Refuse(InputErrorKind.InvalidText, index, count, "holds only control or formatting characters");
        }
    }

    // BERT's text cleaning drops control and format characters and splits on whitespace.
    private static bool IsDroppedByTokenizer(char ch) =>
        char.IsWhiteSpace(ch) || CharUnicodeInfo.GetUnicodeCategory(ch) is UnicodeCategory.Control or UnicodeCategory.Format;

    private static InvalidInputException Refuse(InputErrorKind kind, int index, int count, string reason) =>
        new(Modality.Text, kind, count == 1 ? $"Text {reason}." : $"Text {index} of {count} {reason}.");
}
