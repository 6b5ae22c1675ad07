namespace Emotion.Orleans.Inference;

/// <summary>The stages of one modality's inference, timed separately (metric label <c>stage</c>).</summary>
public enum InferenceStage
{
    /// <summary>Input validation, decoding and feature extraction: tokenising; MFCC; image decode, face
    /// detection (BlazeFace) and crop.</summary>
    Decode = 0,

    /// <summary>The encoder model run (MiniLM with pooling, speech CNN, face network on the crops).</summary>
    Model = 1,

    /// <summary>The modality head: feature selection, projection and classifier, and the softmax.</summary>
    Classifier = 2,
}
