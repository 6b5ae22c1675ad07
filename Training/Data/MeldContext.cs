using System.Globalization;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>
/// Dialogue context for MELD utterances, in MELD's dialogue order (Dialogue_ID, Utterance_ID): the
/// text head's input is <see cref="DialogueContext"/>'s features of the utterance, the previous
/// turns of the same dialogue present in the split and, when asked, the same speaker's previous
/// turn. Items of other datasets (no dialogue) get no context.
/// </summary>
public static class MeldContext
{
    /// <summary>The context-augmented features of each item, from the items' own embeddings.</summary>
    /// <param name="items">Items of one split (MELD ids "dia{d}_utt{u}"; other items have no context).</param>
    /// <param name="embeddings">One embedding per item.</param>
    /// <param name="turns">Previous turns read.</param>
    /// <param name="sameSpeaker">Also the embedding of the same speaker's latest earlier turn in the dialogue (zeros when none or the speaker is unknown).</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static float[][] Features(IReadOnlyList<LabelledItem> items, IReadOnlyList<float[]> embeddings, int turns, bool sameSpeaker = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(embeddings);
        if (items.Count != embeddings.Count)
        {
            throw new ArgumentException($"{items.Count} items but {embeddings.Count} embeddings.", nameof(embeddings));
        }

        var byDialogue = new Dictionary<string, SortedList<int, int>>(StringComparer.Ordinal);
        var positions = new (string Dialogue, int Utterance)?[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            if (Parse(items[i]) is { } p)
            {
                positions[i] = p;
                if (!byDialogue.TryGetValue(p.Dialogue, out var turnsOf))
                {
                    byDialogue[p.Dialogue] = turnsOf = [];
                }

                turnsOf.TryAdd(p.Utterance, i);
            }
        }

        var rows = new float[items.Count][];
        for (var i = 0; i < items.Count; i++)
        {
            var previous = new List<float[]>();
            float[]? own = null;
            if (positions[i] is { } p)
            {
                var dialogue = byDialogue[p.Dialogue];
                var at = dialogue.IndexOfKey(p.Utterance);
                for (var k = Math.Max(0, at - turns); k < at; k++)
                {
                    previous.Add(embeddings[dialogue.Values[k]]);
                }

                var speaker = items[i].Speaker;
                for (var k = at - 1; k >= 0 && own is null && speaker is not null; k--)
                {
                    if (string.Equals(items[dialogue.Values[k]].Speaker, speaker, StringComparison.Ordinal))
                    {
                        own = embeddings[dialogue.Values[k]];
                    }
                }
            }

            rows[i] = sameSpeaker ? DialogueContext.Features(embeddings[i], previous, own) : DialogueContext.Features(embeddings[i], previous);
        }

        return rows;
    }

    /// <summary>Dialogue and utterance of a MELD item ("dia{d}_utt{u}"); null for other items.</summary>
    public static (string Dialogue, int Utterance)? Parse(LabelledItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!string.Equals(item.Dataset, MeldLoader.Dataset, StringComparison.Ordinal) || item.Group is null)
        {
            return null;
        }

        var at = item.Id.LastIndexOf("_utt", StringComparison.Ordinal);
        return at >= 0 && int.TryParse(item.Id.AsSpan(at + 4), NumberStyles.None, CultureInfo.InvariantCulture, out var utterance)
            ? (item.Group, utterance)
            : null;
    }
}
