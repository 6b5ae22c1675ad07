namespace Emotion.Orleans.Inference;

/// <summary>The three input modalities of a call, in the fusion's slot order.</summary>
public enum Modality
{
    /// <summary>Transcript segments.</summary>
    Text = 0,

    /// <summary>Audio (16 kHz mono PCM).</summary>
    Speech = 1,

    /// <summary>Video frames (JPEG/PNG).</summary>
    Face = 2,
}
