namespace Emotion.Orleans.Inference;

/// <summary>
/// Everything <see cref="InferenceServiceCollectionExtensions.AddEmotionInference"/> needs to load the
/// models; bound from the <c>Inference</c> configuration section and validated when the host starts.
/// </summary>
public sealed class InferenceOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Inference";

    /// <summary>Folder of the model bundle (<c>manifest.json</c>, heads, speech CNN, fusion).</summary>
    public string BundlePath { get; set; } = ModelFiles.DefaultBundle;

    /// <summary>
    /// Which model gives the face logits; the same setting as <c>Inference:Face:FeaturePath</c>. It must be
    /// the path the bundle's fusion was trained on.
    /// </summary>
    public FaceFeaturePath FacePath
    {
        get => Face.FeaturePath;
        set => Face.FeaturePath = value;
    }

    /// <summary>Execution provider and threads of every ONNX session.</summary>
    public OnnxRuntimeOptions OnnxRuntime { get; set; } = new();

    /// <summary>Text encoder limits.</summary>
    public TextEncoderOptions Text { get; set; } = new();

    /// <summary>Face path, crop margin, frame limits, detector settings.</summary>
    public FaceRecognizerOptions Face { get; set; } = new();

    /// <summary>Utterance limit and voice-activity segmentation.</summary>
    public SpeechOptions Speech { get; set; } = new();
}
