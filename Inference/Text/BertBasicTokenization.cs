using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Emotion.Orleans.Inference;

/// <summary>
/// BERT's basic tokenization, uncased, as the reference tokenizer that all-MiniLM-L6-v2 was trained
/// with does it: drop NUL, U+FFFD and other/control characters, map whitespace to a space, pad CJK
/// ideographs with spaces, lower-case, decompose (NFD) and drop non-spacing marks.
/// </summary>
/// <remarks>
/// Replaces the package's own BERT normalizer, which deletes tab and newline (gluing the words on
/// either side into one) instead of treating them as spaces.
/// </remarks>
internal sealed class BertUncasedNormalizer : Normalizer
{
    public static BertUncasedNormalizer Instance { get; } = new();

    public override string Normalize(string original) => Normalize(original.AsSpan());

    public override string Normalize(ReadOnlySpan<char> original)
    {
        var cleaned = new StringBuilder(original.Length + 8);
        Span<char> utf16 = stackalloc char[2];
        foreach (var rune in original.EnumerateRunes())
        {
            if (rune.Value is 0 or 0xFFFD)
            {
                continue;
            }

            var category = Rune.GetUnicodeCategory(rune);
            if (rune.Value is '\t' or '\n' or '\r' || category == UnicodeCategory.SpaceSeparator)
            {
                cleaned.Append(' ');
                continue;
            }

            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
            {
                continue;
            }

            var length = rune.EncodeToUtf16(utf16);
            if (IsCjkIdeograph(rune.Value))
            {
                cleaned.Append(' ').Append(utf16[..length]).Append(' ');
            }
            else
            {
                cleaned.Append(utf16[..length]);
            }
        }

        // NFD before lower-casing (the reference does NFC, lower, NFD: the same text) so that "İ"
        // becomes "i" + a mark, as the reference's full case mapping gives, not an unknown letter.
        var decomposed = cleaned.ToString().Normalize(NormalizationForm.FormD).ToLowerInvariant();
        var result = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
            {
                var length = rune.EncodeToUtf16(utf16);
                result.Append(utf16[..length]);
            }
        }

        return result.ToString();
    }

    private static bool IsCjkIdeograph(int codePoint) =>
        codePoint is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}

/// <summary>
/// BERT's word split over normalized text: words end at whitespace and every punctuation character
/// is a word of its own. Symbols, digits and emoji stay inside words.
/// </summary>
/// <remarks>
/// Replaces the package's <c>\w+|\p{P}</c> split, which silently drops symbols such as "$", "+" and
/// emoji instead of keeping them (as pieces or [UNK]).
/// </remarks>
internal sealed class BertWordSplitter : PreTokenizer
{
    public static BertWordSplitter Instance { get; } = new();

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => PreTokenize(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text)
    {
        var words = new List<(int Offset, int Length)>();
        var start = -1;
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var width = rune.Utf16SequenceLength;
            if (Rune.IsWhiteSpace(rune) || IsPunctuation(rune))
            {
                if (start >= 0)
                {
                    words.Add((start, index - start));
                    start = -1;
                }

                if (!Rune.IsWhiteSpace(rune))
                {
                    words.Add((index, width));
                }
            }
            else if (start < 0)
            {
                start = index;
            }

            index += width;
        }

        if (start >= 0)
        {
            words.Add((start, index - start));
        }

        return words;
    }

    // BERT counts every non-alphanumeric ASCII character as punctuation, and Unicode's P* categories.
    private static bool IsPunctuation(Rune rune) =>
        rune.Value is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126)
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
}
