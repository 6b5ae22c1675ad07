namespace Emotion.Orleans.Inference.Tests;

/// <summary>
/// A bundle for the composition-root tests, written to a temp folder: a text head fitted by least
/// squares on real MiniLM embeddings of the labelled sentences below; face and speech heads and a
/// fusion that are plain test wiring (they pass chosen features straight through, nothing learned);
/// the trained speech CNN copied from the shipped bundle; upstream hashes of the real models.
/// </summary>
public sealed class HostingBundleFixture : IDisposable
{
    /// <summary>Method name recorded for the wiring parts, so no one mistakes them for a model.</summary>
    public const string Wiring = "test-wiring";

    /// <summary>Labelled sentences the text head is fitted on.</summary>
    public static readonly (string Text, EmotionLabel Label)[] Training =
    [
        ("I am furious about how you treated me.", EmotionLabel.Anger),
        ("This makes me so angry I could scream.", EmotionLabel.Anger),
        ("Stop lying to me, I am sick of your excuses!", EmotionLabel.Anger),
        ("How dare you cancel my account without asking!", EmotionLabel.Anger),
        ("That smell is revolting, I feel sick.", EmotionLabel.Disgust),
        ("Ugh, the food was rotten and crawling with maggots.", EmotionLabel.Disgust),
        ("Their behaviour is disgusting and vile.", EmotionLabel.Disgust),
        ("I find that gross and nauseating.", EmotionLabel.Disgust),
        ("I am terrified something bad will happen.", EmotionLabel.Fear),
        ("I'm scared to walk home alone at night.", EmotionLabel.Fear),
        ("Please help, I am so afraid right now.", EmotionLabel.Fear),
        ("The noise downstairs frightened me badly.", EmotionLabel.Fear),
        ("I am so happy, this is wonderful news!", EmotionLabel.Joy),
        ("Thank you so much, you made my day!", EmotionLabel.Joy),
        ("We won the game and I am thrilled.", EmotionLabel.Joy),
        ("I love this, it makes me so glad.", EmotionLabel.Joy),
        ("The meeting is scheduled for Tuesday at ten.", EmotionLabel.Neutral),
        ("Please send the invoice to the billing address.", EmotionLabel.Neutral),
        ("My account number ends in four five six.", EmotionLabel.Neutral),
        ("The package was delivered this morning.", EmotionLabel.Neutral),
        ("I feel so lonely and miserable since she left.", EmotionLabel.Sadness),
        ("My dog died yesterday and I cannot stop crying.", EmotionLabel.Sadness),
        ("I am heartbroken and sad.", EmotionLabel.Sadness),
        ("Nothing seems worth it anymore, I feel down.", EmotionLabel.Sadness),
        ("Wow, I did not expect that at all!", EmotionLabel.Surprise),
        ("No way, really? That is astonishing!", EmotionLabel.Surprise),
        ("I'm shocked, I never saw that coming.", EmotionLabel.Surprise),
        ("What? You're kidding me, that happened?", EmotionLabel.Surprise),
    ];

    /// <summary>Sentences the head was not fitted on.</summary>
    public static readonly (string Text, EmotionLabel Label)[] HeldOut =
    [
        ("I am really mad at your company right now.", EmotionLabel.Anger),
        ("That is absolutely repulsive.", EmotionLabel.Disgust),
        ("I'm frightened and panicking.", EmotionLabel.Fear),
        ("This is the best day of my life, I'm overjoyed.", EmotionLabel.Joy),
        ("The office opens at nine on weekdays.", EmotionLabel.Neutral),
        ("I'm grieving and feel so unhappy.", EmotionLabel.Sadness),
        ("Whoa, that's so unexpected!", EmotionLabel.Surprise),
    ];

    private const int SpeechEmbeddingWidth = 128;
    private const int ResNet18Width = 512;
    private const float ClassifierGain = 10f;

    private readonly string _root = Directory.CreateTempSubdirectory("inference-hosting").FullName;
    private int _variants;

    public HostingBundleFixture()
    {
        SpeechCnnSource = Path.Combine(ModelFiles.DefaultBundle, "speech-cnn.onnx");
        using var encoder = new MiniLmEncoder(new OnnxSessionFactory(new OnnxRuntimeOptions { IntraOpThreads = 1 }));
        MiniLmSha256 = encoder.UpstreamSha256;
        TextHead = FitTextHead(encoder.Embed([.. Training.Select(t => t.Text)]), [.. Training.Select(t => t.Label)]);
        Upstream = new Dictionary<string, string>
        {
            [UpstreamModels.MiniLm] = MiniLmSha256,
            [UpstreamModels.ResNet18] = UpstreamModels.Sha256OfFile(ModelFiles.ResNet18),
            [UpstreamModels.BlazeFace] = UpstreamModels.Sha256OfFile(ModelFiles.BlazeFace),
            [UpstreamModels.FerExpression] = UpstreamModels.Sha256OfFile(ModelFiles.FerExpression),
            [UpstreamModels.SileroVad] = UpstreamModels.Sha256OfFile(ModelFiles.SileroVad),
        };
        if (HasSpeechCnn)
        {
            BundlePath = Write();
        }
    }

    /// <summary>Where the trained speech CNN is expected.</summary>
    public string SpeechCnnSource { get; }

    /// <summary>False until the trained speech CNN is in the shipped bundle.</summary>
    public bool HasSpeechCnn => File.Exists(SpeechCnnSource);

    /// <summary>The consistent bundle (null without the speech CNN).</summary>
    public string? BundlePath { get; }

    /// <summary>Hash of the packaged MiniLM.</summary>
    public string MiniLmSha256 { get; }

    /// <summary>Upstream hashes of the real models.</summary>
    public IReadOnlyDictionary<string, string> Upstream { get; }

    /// <summary>The fitted text head.</summary>
    public HeadFile TextHead { get; }

    /// <summary>
    /// Writes a bundle to a fresh folder, optionally with other upstream hashes or face source; with
    /// <paramref name="alternate"/> it also holds a fusion for the other face path, as a trained bundle does.
    /// </summary>
    public string Write(Action<Dictionary<string, string>>? changeUpstream = null, string faceSource = InferenceModels.FerFaceSource, HeadFile? faceHead = null, bool alternate = true)
    {
        var other = faceSource == InferenceModels.FerFaceSource ? InferenceModels.ResNet18FaceSource : InferenceModels.FerFaceSource;
        var directory = Path.Combine(_root, $"bundle-{Interlocked.Increment(ref _variants)}");
        Directory.CreateDirectory(directory);
        File.Copy(SpeechCnnSource, Path.Combine(directory, "speech-cnn.onnx"));
        var upstream = new Dictionary<string, string>(Upstream);
        changeUpstream?.Invoke(upstream);
        var manifest = new BundleManifest(
            ModelBundle.FormatVersion,
            [.. EmotionLabels.Names],
            DateTimeOffset.UnixEpoch,
            new TrainingProvenance("Inference.Tests HostingBundleFixture", "test", 0, ["sentences in HostingBundleFixture"]),
            upstream,
            "text-head.json",
            "speech-head.json",
            "face-head.json",
            "speech-cnn.onnx",
            "fusion.json")
        {
            AlternateFusions = alternate ? new Dictionary<string, string> { [other] = $"fusion-{other}.json" } : null,
        };
        ModelBundle.Save(directory, manifest, TextHead, WiringHead("speech", SpeechEmbeddingWidth), faceHead ?? WiringHead("face", ResNet18Width), WiringFusion(faceSource), alternate ? [WiringFusion(other)] : null);
        return directory;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// Ridge regression from the 384 embedding values to one-hot labels (the projection, solved in
    /// the dual: W = Yᵀ (X Xᵀ + λI)⁻¹ X), then ReLU and a scaled identity classifier.
    /// </summary>
    private static HeadFile FitTextHead(float[][] x, EmotionLabel[] labels)
    {
        const double Ridge = 0.05;
        var n = x.Length;
        var d = MiniLmEncoder.EmbeddingDimension;
        var gram = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double dot = 0;
                for (var k = 0; k < d; k++)
                {
                    dot += x[i][k] * (double)x[j][k];
                }

                gram[i, j] = dot + (i == j ? Ridge : 0);
            }
        }

        var weights = new float[EmotionLabels.Count * d];
        for (var c = 0; c < EmotionLabels.Count; c++)
        {
            var alpha = SolveSymmetric(gram, [.. labels.Select(l => (int)l == c ? 1.0 : 0.0)]);
            for (var k = 0; k < d; k++)
            {
                double w = 0;
                for (var i = 0; i < n; i++)
                {
                    w += alpha[i] * x[i][k];
                }

                weights[(c * d) + k] = (float)w;
            }
        }

        return new HeadFile(
            "text",
            MiniLmEncoder.EncoderId,
            d,
            new FeatureSelectionFile("test-all-features", [.. Enumerable.Range(0, d)], new float[d], [.. Enumerable.Repeat(1f, d)]),
            new DenseLayerFile(d, EmotionLabels.Count, weights, new float[EmotionLabels.Count]),
            ScaledIdentity(ClassifierGain));
    }

    /// <summary>Cholesky solve of a symmetric positive definite system.</summary>
    private static double[] SolveSymmetric(double[,] a, double[] b)
    {
        var n = b.Length;
        var l = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[i, j];
                for (var k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }

                l[i, j] = i == j ? Math.Sqrt(sum) : sum / l[j, j];
            }
        }

        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var sum = b[i];
            for (var k = 0; k < i; k++)
            {
                sum -= l[i, k] * y[k];
            }

            y[i] = sum / l[i, i];
        }

        var result = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = y[i];
            for (var k = i + 1; k < n; k++)
            {
                sum -= l[k, i] * result[k];
            }

            result[i] = sum / l[i, i];
        }

        return result;
    }

    /// <summary>Test wiring: the first seven encoder features, unchanged, are the logits (after ReLU).</summary>
    private static HeadFile WiringHead(string modality, int width) => new(
        modality,
        Wiring,
        width,
        new FeatureSelectionFile(Wiring, [.. Enumerable.Range(0, EmotionLabels.Count)], new float[EmotionLabels.Count], [.. Enumerable.Repeat(1f, EmotionLabels.Count)]),
        ScaledIdentity(1f),
        ScaledIdentity(1f));

    /// <summary>The wiring fusion as a model.</summary>
    public static FusionModel WiringFusionModel() => WiringFusion(InferenceModels.ResNet18FaceSource).ToModel();

    /// <summary>Test wiring: every modality scored alike, and the label MLP averages the three slots.</summary>
    private static FusionFile WiringFusion(string faceSource)
    {
        const int C = EmotionLabels.Count;
        var mlp = new float[C * 3 * C];
        for (var c = 0; c < C; c++)
        {
            for (var slot = 0; slot < 3; slot++)
            {
                mlp[(c * 3 * C) + (slot * C) + c] = 1f / 3f;
            }
        }

        return new FusionFile(
            new AttentionFile([ScaledIdentity(1f), ScaledIdentity(1f), ScaledIdentity(1f)], [.. Enumerable.Repeat(1f, C)]),
            [new DenseLayerFile(3 * C, C, mlp, new float[C])],
            faceSource);
    }

    private static DenseLayerFile ScaledIdentity(float gain)
    {
        const int C = EmotionLabels.Count;
        var weights = new float[C * C];
        for (var i = 0; i < C; i++)
        {
            weights[(i * C) + i] = gain;
        }

        return new DenseLayerFile(C, C, weights, new float[C]);
    }
}
