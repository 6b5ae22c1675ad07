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

    public static EmotionDistribution ToDistribution(this float[] probabilities) => new(ImmutableArray.Create(probabilities));
}
