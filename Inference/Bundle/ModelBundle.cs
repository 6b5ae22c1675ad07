using System.Text.Json;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Everything the product learned, loaded from one folder: the per-modality heads (feature
/// selection + classifier), the speech CNN and the fusion parameters, with the hashes of the
/// upstream encoders they were trained against.
/// </summary>
public sealed class ModelBundle
{
    /// <summary>The bundle format this build reads and writes.</summary>
    public const int FormatVersion = 1;

    private ModelBundle(string directory, BundleManifest manifest, ModalityHead text, ModalityHead speech, ModalityHead face, FusionModel fusion, string faceSource, int textContextTurns, SpeakerNormalizer? speakerNormalizer, IReadOnlyDictionary<string, FusionModel> fusions)
    {
        Fusions = fusions;
        TextContextTurns = textContextTurns;
        SpeakerNormalizer = speakerNormalizer;
        Directory = directory;
        Manifest = manifest;
        TextHead = text;
        SpeechHead = speech;
        FaceHead = face;
        Fusion = fusion;
        FaceSource = faceSource;
    }

    /// <summary>The folder it was loaded from.</summary>
    public string Directory { get; }

    /// <summary>The manifest.</summary>
    public BundleManifest Manifest { get; }

    /// <summary>Text head over MiniLM embeddings.</summary>
    public ModalityHead TextHead { get; }

    /// <summary>Speech head over speech-CNN embeddings.</summary>
    public ModalityHead SpeechHead { get; }

    /// <summary>Face head over ResNet18 features.</summary>
    public ModalityHead FaceHead { get; }

    /// <summary>Attention + label fusion.</summary>
    public FusionModel Fusion { get; }

    /// <summary>Every fusion by the face source it was trained on (<see cref="FaceSource"/> → <see cref="Fusion"/>, then the alternates).</summary>
    public IReadOnlyDictionary<string, FusionModel> Fusions { get; }

    /// <summary>The fusion trained on <paramref name="faceSource"/>'s logits; null when the bundle has none.</summary>
    public FusionModel? FusionFor(string faceSource) => Fusions.TryGetValue(faceSource, out var fusion) ? fusion : null;

    /// <summary>Previous dialogue turns the text head reads (0: the head reads no context).</summary>
    public int TextContextTurns { get; }

    /// <summary>Per-speaker normalisation of the speech features before the speech head; none when null.</summary>
    public SpeakerNormalizer? SpeakerNormalizer { get; }

    /// <summary>Face path whose logits the fusion was trained on ("resnet18" or "fer").</summary>
    public string FaceSource { get; }

    /// <summary>Full path of the speech CNN.</summary>
    public string SpeechCnnPath => Path.Combine(Directory, Manifest.SpeechCnn);

    /// <summary>Full path of the text encoder patch; null when the text head reads the packaged MiniLM as is.</summary>
    public string? TextEncoderPath => Manifest.TextEncoder is { } file ? Path.Combine(Directory, file) : null;

    /// <summary>The text encoder patch's bytes (for <see cref="MiniLmEncoder"/>); null when the bundle has none.</summary>
    public byte[]? ReadTextEncoderPatch() => TextEncoderPath is { } path ? File.ReadAllBytes(path) : null;

    /// <summary>Loads and validates a bundle.</summary>
    /// <exception cref="ModelBundleException">A file is missing or malformed, or the format or labels differ.</exception>
    public static ModelBundle Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var manifest = Read(directory, "manifest.json", BundleJsonContext.Default.BundleManifest);
        if (manifest.FormatVersion != FormatVersion)
        {
            throw new ModelBundleException($"Bundle '{directory}' has format {manifest.FormatVersion}; this build reads format {FormatVersion}.");
        }

        if (manifest.Labels is null || !manifest.Labels.SequenceEqual(EmotionLabels.Names))
        {
            throw new ModelBundleException($"Bundle '{directory}' labels [{string.Join(", ", manifest.Labels ?? [])}] differ from [{string.Join(", ", EmotionLabels.Names)}].");
        }

        if (!File.Exists(Path.Combine(directory, manifest.SpeechCnn)))
        {
            throw new ModelBundleException($"Bundle '{directory}' lacks its speech CNN '{manifest.SpeechCnn}'.");
        }

        if (manifest.TextEncoder is { } textEncoder && !File.Exists(Path.Combine(directory, textEncoder)))
        {
            throw new ModelBundleException($"Bundle '{directory}' lacks its text encoder patch '{textEncoder}'.");
        }

        try
        {
            var (text, textFile) = ReadHead(directory, manifest.Text, Modality.Text);
            var (speech, speechFile) = ReadHead(directory, manifest.Speech, Modality.Speech);
            var (face, _) = ReadHead(directory, manifest.Face, Modality.Face);
            var fusionFile = Read(directory, manifest.Fusion, BundleJsonContext.Default.FusionFile);
            if (textFile.ContextTurns < 0)
            {
                throw new ArgumentException($"The text head's context turns ({textFile.ContextTurns}) cannot be negative.");
            }

            var normalizer = speechFile.SpeakerNormalization?.ToNormalizer();
            if (normalizer is not null && normalizer.Width != speech.InputDimension)
            {
                throw new ArgumentException($"The speaker normaliser reads {normalizer.Width} features; the speech head reads {speech.InputDimension}.");
            }

            var primary = fusionFile.ToModel();
            var fusions = new Dictionary<string, FusionModel>(StringComparer.Ordinal) { [fusionFile.FaceSource] = primary };
            foreach (var (source, file) in manifest.AlternateFusions ?? [])
            {
                var alternate = Read(directory, file, BundleJsonContext.Default.FusionFile);
                if (!string.Equals(alternate.FaceSource, source, StringComparison.Ordinal) || !fusions.TryAdd(source, alternate.ToModel()))
                {
                    throw new ModelBundleException($"Bundle file '{Path.Combine(directory, file)}' holds a fusion for '{alternate.FaceSource}' where one for '{source}' (and only one) belongs.");
                }
            }

            return new ModelBundle(directory, manifest, text, speech, face, primary, fusionFile.FaceSource, textFile.ContextTurns, normalizer, fusions);
        }
        catch (ArgumentException ex)
        {
            throw new ModelBundleException($"Bundle '{directory}' holds inconsistent parameters: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Checks that the bundle was trained against exactly this upstream model.
    /// </summary>
    /// <exception cref="ModelBundleException">The bundle records another hash, or none.</exception>
    public void VerifyUpstream(string model, string sha256)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentException.ThrowIfNullOrEmpty(sha256);
        if (!Manifest.Upstream.TryGetValue(model, out var expected))
        {
            throw new ModelBundleException($"Bundle '{Directory}' records no hash for upstream model '{model}'.");
        }

        if (!string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelBundleException(
                $"Bundle '{Directory}' was trained against {model} {Short(expected)}, but the loaded {model} is {Short(sha256)}; retrain the bundle or load the matching model.");
        }
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;

    /// <summary>Writes a bundle folder (the speech CNN file must already be in it); alternate fusions go to the files the manifest names for their face sources.</summary>
    public static void Save(string directory, BundleManifest manifest, HeadFile text, HeadFile speech, HeadFile face, FusionFile fusion, IReadOnlyList<FusionFile>? alternateFusions = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        System.IO.Directory.CreateDirectory(directory);
        foreach (var alternate in alternateFusions ?? [])
        {
            var file = manifest.AlternateFusions?.GetValueOrDefault(alternate.FaceSource)
                ?? throw new ArgumentException($"The manifest names no file for the '{alternate.FaceSource}' fusion.", nameof(alternateFusions));
            Write(directory, file, alternate, BundleJsonContext.Default.FusionFile);
        }

        Write(directory, manifest.Text, text, BundleJsonContext.Default.HeadFile);
        Write(directory, manifest.Speech, speech, BundleJsonContext.Default.HeadFile);
        Write(directory, manifest.Face, face, BundleJsonContext.Default.HeadFile);
        Write(directory, manifest.Fusion, fusion, BundleJsonContext.Default.FusionFile);
        Write(directory, "manifest.json", manifest, BundleJsonContext.Default.BundleManifest);
    }

    /// <summary>Reads a head and checks that the file is the one for <paramref name="modality"/>, not another modality's.</summary>
    private static (ModalityHead Head, HeadFile File) ReadHead(string directory, string file, Modality modality)
    {
        var head = Read(directory, file, BundleJsonContext.Default.HeadFile);
        var expected = modality.ToString().ToLowerInvariant();
        if (!string.Equals(head.Modality, expected, StringComparison.Ordinal))
        {
            throw new ModelBundleException($"Bundle file '{Path.Combine(directory, file)}' holds the {head.Modality} head where the {expected} head belongs.");
        }

        return (head.ToHead(), head);
    }

    private static T Read<T>(string directory, string file, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
        {
            throw new ModelBundleException($"Bundle file '{path}' is missing.");
        }

        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, type) ?? throw new ModelBundleException($"Bundle file '{path}' is empty.");
        }
        catch (JsonException ex)
        {
            throw new ModelBundleException($"Bundle file '{path}' is malformed: {ex.Message}", ex);
        }
    }

    private static void Write<T>(string directory, string file, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        using var stream = File.Create(Path.Combine(directory, file));
        JsonSerializer.Serialize(stream, value, type);
    }
}
