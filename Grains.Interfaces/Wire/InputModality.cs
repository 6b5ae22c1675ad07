namespace Emotion.Orleans.Grains;

/// <summary>The three inputs of a call, in the fusion's slot order (text, speech, face).</summary>
[GenerateSerializer]
[Alias("emotion.input-modality")]
public enum InputModality
{
    /// <summary>Transcript segments.</summary>
    Text = 0,

    /// <summary>Audio (mono PCM16; 16 kHz, other common rates resampled).</summary>
    Speech = 1,

    /// <summary>Video frames (JPEG/PNG).</summary>
    Face = 2,
}
