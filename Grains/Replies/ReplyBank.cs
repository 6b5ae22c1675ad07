using System.Collections.Frozen;
using System.Text.Json;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>Curated empathetic agent replies by emotion (<c>reply-bank.json</c>: label name → replies).</summary>
public sealed class ReplyBank
{
    /// <summary>Fewest replies each emotion must have.</summary>
    public const int MinRepliesPerEmotion = 5;

    private const string ResourceName = "Emotion.Orleans.Grains.reply-bank.json";

    private ReplyBank(FrozenDictionary<EmotionLabel, IReadOnlyList<string>> replies) => Replies = replies;

    /// <summary>Replies per emotion.</summary>
    public IReadOnlyDictionary<EmotionLabel, IReadOnlyList<string>> Replies { get; }

    /// <summary>The bank shipped with the product.</summary>
    public static ReplyBank LoadDefault()
    {
        using var stream = typeof(ReplyBank).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        return Load(stream);
    }

    /// <summary>Reads a bank from JSON.</summary>
    /// <exception cref="InvalidDataException">An emotion is missing, has too few replies, or a label is unknown.</exception>
    public static ReplyBank Load(Stream json)
    {
        var raw = JsonSerializer.Deserialize<Dictionary<string, string[]>>(json)
            ?? throw new InvalidDataException("The reply bank is empty.");
        var replies = new Dictionary<EmotionLabel, IReadOnlyList<string>>();
        foreach (var (name, texts) in raw)
        {
            if (!EmotionLabels.TryParse(name, out var label))
            {
                throw new InvalidDataException($"Reply bank: '{name}' is not an emotion label.");
            }

            replies[label] = [.. texts.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim())];
        }

        foreach (var label in EmotionLabels.All)
        {
            if (!replies.TryGetValue(label, out var texts) || texts.Count < MinRepliesPerEmotion)
            {
                throw new InvalidDataException($"Reply bank: {EmotionLabels.Name(label)} needs at least {MinRepliesPerEmotion} replies.");
            }
        }

        return new ReplyBank(replies.ToFrozenDictionary());
    }
}
