using Emotion.Orleans.Inference;
using Emotion.Orleans.Training;

namespace Emotion.Orleans.QualityCheck;

/// <summary>
/// One segment of a label-paired call: a held-out RAVDESS clip (speech), a FER2013 dev face shown
/// on camera over the clip's span, and a dev transcript line, all three of <paramref name="Label"/>.
/// </summary>
/// <param name="Index">Position in the call (0-based).</param>
/// <param name="Label">The label of all three items.</param>
/// <param name="Clip">The RAVDESS clip (content: the WAV path; group: the actor).</param>
/// <param name="Face">The FER2013 dev image (content: the image path).</param>
/// <param name="Line">The transcript line (content: the text; dataset: meld or goemotions).</param>
public sealed record PairedSegment(int Index, EmotionLabel Label, LabelledItem Clip, LabelledItem Face, LabelledItem Line);

/// <summary>One call: the segments of one RAVDESS actor (the customer), in a seeded order.</summary>
/// <param name="Name">Stable name within the plan (e.g. <c>a17-02</c>).</param>
/// <param name="Actor">The RAVDESS actor id speaking in every segment.</param>
/// <param name="Segments">The segments in call order.</param>
public sealed record PairedCall(string Name, string Actor, IReadOnlyList<PairedSegment> Segments);

/// <summary>The calls of one check and how they were paired.</summary>
/// <param name="Calls">The calls.</param>
/// <param name="Labels">Labels that every source has (the ones that appear in the calls).</param>
/// <param name="Unpaired">Labels of the product's label set left out, each with the source that lacks it.</param>
/// <param name="Sources">One line per source: what was read and how many items were kept.</param>
/// <param name="Reused">Faces and lines used more than once because a label had fewer of them than clips.</param>
public sealed record CallPlan(
    IReadOnlyList<PairedCall> Calls,
    IReadOnlyList<EmotionLabel> Labels,
    IReadOnlyList<string> Unpaired,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Reused)
{
    /// <summary>All segments of all calls.</summary>
    public IEnumerable<PairedSegment> Segments => Calls.SelectMany(c => c.Segments);
}
