using System.Text.Json.Serialization;

namespace Emotion.Orleans.Inference;

/// <summary>JSON shape of a <see cref="DenseLayer"/> in a bundle.</summary>
/// <param name="Inputs">Input width.</param>
/// <param name="Outputs">Output width.</param>
/// <param name="Weights">Row-major [Outputs, Inputs].</param>
/// <param name="Bias">One per output.</param>
public sealed record DenseLayerFile(int Inputs, int Outputs, float[] Weights, float[] Bias)
{
    /// <summary>Builds the layer, validating shapes.</summary>
    public DenseLayer ToLayer() => new(Inputs, Outputs, Weights, Bias);

    /// <summary>Captures a layer.</summary>
    public static DenseLayerFile From(DenseLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return new(layer.Inputs, layer.Outputs, layer.Weights, layer.Bias);
    }
}

/// <summary>JSON shape of a <see cref="FeatureSelection"/>.</summary>
/// <param name="Method">How the features were selected (e.g. "l1-logistic", "tree-importance").</param>
/// <param name="Indices">Kept feature indices.</param>
/// <param name="Mean">Training mean of each kept feature.</param>
/// <param name="Scale">Training standard deviation of each kept feature.</param>
public sealed record FeatureSelectionFile(string Method, int[] Indices, float[] Mean, float[] Scale);

/// <summary>JSON shape of a <see cref="ModalityHead"/>.</summary>
/// <param name="Modality">Modality name ("text", "speech", "face").</param>
/// <param name="Encoder">Encoder the features come from (e.g. "minilm-l6-v2-mean-l2").</param>
/// <param name="InputDimension">Encoder feature width.</param>
/// <param name="Selection">Kept features.</param>
/// <param name="Projection">W_i, b_i; null for a linear head (multinomial logistic regression).</param>
/// <param name="Classifier">C_i.</param>
public sealed record HeadFile(string Modality, string Encoder, int InputDimension, FeatureSelectionFile Selection, DenseLayerFile? Projection, DenseLayerFile Classifier)
{
    /// <summary>Previous turns of the dialogue whose mean embedding follows the utterance's in the input (0: no context).</summary>
    public int ContextTurns { get; init; }

    /// <summary>Per-speaker normalisation applied to the encoder features before the head; none when null.</summary>
    public SpeakerNormalizationFile? SpeakerNormalization { get; init; }

    /// <summary>Temperature already folded into the classifier (1: none); recorded for the report.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Builds the head, validating shapes.</summary>
    public ModalityHead ToHead() => new(
        InputDimension,
        new FeatureSelection(Selection.Indices, Selection.Mean, Selection.Scale),
        Projection?.ToLayer(),
        Classifier.ToLayer());

    /// <summary>Captures a head.</summary>
    public static HeadFile From(Modality modality, string encoder, string selectionMethod, ModalityHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        return new(
            modality.ToString().ToLowerInvariant(),
            encoder,
            head.InputDimension,
            new FeatureSelectionFile(selectionMethod, head.Selection.Indices, head.Selection.Mean, head.Selection.Scale),
            head.Projection is null ? null : DenseLayerFile.From(head.Projection),
            DenseLayerFile.From(head.Classifier));
    }
}

/// <summary>JSON shape of a <see cref="SpeakerNormalizer"/>.</summary>
/// <param name="PriorMean">Mean of each feature over the training speakers.</param>
/// <param name="PriorVariance">Average within-speaker variance of each feature.</param>
/// <param name="PriorWeight">How many utterances the prior counts for.</param>
public sealed record SpeakerNormalizationFile(float[] PriorMean, float[] PriorVariance, float PriorWeight)
{
    /// <summary>Builds the normaliser, validating shapes.</summary>
    public SpeakerNormalizer ToNormalizer() => new(PriorMean, PriorVariance, PriorWeight);

    /// <summary>Captures a normaliser.</summary>
    public static SpeakerNormalizationFile From(SpeakerNormalizer normalizer)
    {
        ArgumentNullException.ThrowIfNull(normalizer);
        return new(normalizer.PriorMean, normalizer.PriorVariance, normalizer.PriorWeight);
    }
}

/// <summary>JSON shape of the attention step.</summary>
/// <param name="Projections">W'_i, b'_i for text, speech, face.</param>
/// <param name="V">The shared context vector.</param>
public sealed record AttentionFile(DenseLayerFile[] Projections, float[] V);

/// <summary>JSON shape of a <see cref="FusionModel"/>.</summary>
/// <param name="Attention">The attention parameters.</param>
/// <param name="Mlp">The label-fusion MLP's layers.</param>
/// <param name="FaceSource">Which face path produced the face logits the fusion was trained on ("resnet18" or "fer").</param>
public sealed record FusionFile(AttentionFile Attention, DenseLayerFile[] Mlp, string FaceSource)
{
    /// <summary>Whether present slots are gated by attention (<see cref="FusionModel.GatedSlots"/>); false in older bundles.</summary>
    public bool GatedSlots { get; init; }

    /// <summary>τ of the slot gate (<see cref="FusionModel.GateShare"/>); 1 in older bundles.</summary>
    public float GateShare { get; init; } = 1f;

    /// <summary>Builds the model, validating shapes.</summary>
    public FusionModel ToModel() => new(
        new AttentionFusion(new ModalityAttention([.. Attention.Projections.Select(p => p.ToLayer())], Attention.V)),
        new LabelFusionMlp([.. Mlp.Select(l => l.ToLayer())]))
    {
        GatedSlots = GatedSlots,
        GateShare = GateShare,
    };

    /// <summary>Captures a model.</summary>
    public static FusionFile From(FusionModel model, string faceSource)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new(
            new AttentionFile([.. model.Attention.Attention.Projections.Select(DenseLayerFile.From)], model.Attention.Attention.V),
            [.. model.Mlp.Layers.Select(DenseLayerFile.From)],
            faceSource)
        {
            GatedSlots = model.GatedSlots,
            GateShare = model.GateShare,
        };
    }
}

/// <summary>Where, from what and how a bundle was trained.</summary>
/// <param name="Command">The command line that produced it.</param>
/// <param name="Commit">Source commit of the trainer.</param>
/// <param name="Seed">Random seed.</param>
/// <param name="Data">Datasets and splits used.</param>
public sealed record TrainingProvenance(string Command, string Commit, int Seed, string[] Data);

/// <summary>The bundle's <c>manifest.json</c>.</summary>
/// <param name="FormatVersion">Format version; this build reads <see cref="ModelBundle.FormatVersion"/>.</param>
/// <param name="Labels">Label names in class order; must equal <see cref="EmotionLabels.Names"/>.</param>
/// <param name="CreatedUtc">When it was written.</param>
/// <param name="Training">Provenance.</param>
/// <param name="Upstream">SHA-256 (hex) of each upstream model file the learned parts were trained against.</param>
/// <param name="Text">File name of the text head.</param>
/// <param name="Speech">File name of the speech head.</param>
/// <param name="Face">File name of the face head (ResNet18 path).</param>
/// <param name="SpeechCnn">File name of the speech CNN (ONNX).</param>
/// <param name="Fusion">File name of the fusion parameters.</param>
public sealed record BundleManifest(
    int FormatVersion,
    string[] Labels,
    DateTimeOffset CreatedUtc,
    TrainingProvenance Training,
    Dictionary<string, string> Upstream,
    string Text,
    string Speech,
    string Face,
    string SpeechCnn,
    string Fusion)
{
    /// <summary>Fusions trained on other face paths: face source ("resnet18", "fer") → file name; none when null.</summary>
    public Dictionary<string, string>? AlternateFusions { get; init; }

    /// <summary>
    /// File name of the text encoder patch (MiniLM's fine-tuned top layers, <see cref="MiniLmGraph"/>) the
    /// text head reads embeddings of; the packaged MiniLM as is when null.
    /// </summary>
    public string? TextEncoder { get; init; }
}

/// <summary>Source-generated JSON for bundle files.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(BundleManifest))]
[JsonSerializable(typeof(HeadFile))]
[JsonSerializable(typeof(FusionFile))]
internal sealed partial class BundleJsonContext : JsonSerializerContext;
