namespace Emotion.Orleans.Inference;

/// <summary>The stages of one modality's inference, timed separately (metric label <c>stage</c>).</summary>
public enum InferenceStage
{
    /// <summary>Input decoding and feature extraction (tokenising, MFCC, image decode and face crop).</summary>
    Decode = 0,

    /// <summary>The encoder model run (MiniLM, speech CNN, face network).</summary>
    Model = 1,

    /// <summary>The modality head: feature selection, projection and classifier.</summary>
    Classifier = 2,
}
