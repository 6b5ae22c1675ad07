using System.Collections.Immutable;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains;

/// <summary>Conversions between Inference types and the wire types.</summary>
internal static class InferenceMapping
{
    public static ClassLogits ToLogits(this ModalityPrediction prediction) => new([.. prediction.Logits]);

    public static InputModality ToInput(this Modality modality) => (InputModality)(int)modality;

    public static MalformedInputException ToMalformed(this InvalidInputException error, string callId) =>
        new(callId, error.Modality.ToInput(), error.Kind.ToString(), error.Message);

    public static SpeakerFeatureStatistics ToWire(this SpeakerStatistics statistics) =>
        new(statistics.Count, ImmutableArray.Create(statistics.Mean), ImmutableArray.Create(statistics.SumSquares));

    /// <summary>The worker-side statistics; malformed ones are the caller's bad input.</summary>
    public static SpeakerStatistics ToStatistics(this SpeakerFeatureStatistics statistics, string callId)
    {
        try
        {
            return SpeakerStatistics.From(statistics.Count, [.. statistics.Mean], [.. statistics.SumSquares]);
        }
        catch (ArgumentException e)
        {
            throw new MalformedInputException(callId, InputModality.Speech, nameof(InputErrorKind.WrongShape), e.Message);
        }
    }

    public static EmotionDistribution ToDistribution(this float[] probabilities) => new(ImmutableArray.Create(probabilities));
}
