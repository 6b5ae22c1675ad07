namespace Emotion.Orleans.Inference;

/// <summary>
/// The product's shared label space, in the one order used by every model, bundle and report
/// (MELD's seven emotions).
/// </summary>
public enum EmotionLabel
{
    /// <summary>Anger (FER2013 "angry", RAVDESS "angry", GoEmotions Ekman "anger").</summary>
    Anger = 0,

    /// <summary>Disgust.</summary>
    Disgust = 1,

    /// <summary>Fear (FER2013 and RAVDESS "fearful").</summary>
    Fear = 2,

    /// <summary>Joy (FER2013 and RAVDESS "happy").</summary>
    Joy = 3,

    /// <summary>Neutral (RAVDESS "calm" maps here too).</summary>
    Neutral = 4,

    /// <summary>Sadness (FER2013 and RAVDESS "sad").</summary>
    Sadness = 5,

    /// <summary>Surprise (RAVDESS "surprised").</summary>
    Surprise = 6,
}
