using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Every model of the product, each loaded once: one <see cref="OnnxSessionFactory"/>, the upstream
/// encoders and detectors, and the model bundle, whose recorded upstream hashes are checked against
/// the encoders actually loaded. The recognizers are built from the bundle's heads. All members are
/// thread-safe; this object owns and disposes every session.
/// </summary>
public sealed partial class InferenceModels : IDisposable
{
    /// <summary>The bundle's <see cref="ModelBundle.FaceSource"/> of the ResNet18 path.</summary>
    public const string ResNet18FaceSource = "resnet18";

    /// <summary>The bundle's <see cref="ModelBundle.FaceSource"/> of the expression model path.</summary>
    public const string FerFaceSource = "fer";

    private readonly List<IDisposable> _owned = [];
    private int _disposed;

    /// <summary>Loads everything; fails, releasing what it had loaded, when anything does not fit.</summary>
    /// <param name="options">Validated options (see <see cref="InferenceOptionsValidator"/>).</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="stageObserver">Told the recognizers' per-batch stage times; none when null.</param>
    /// <exception cref="ModelBundleException">
    /// The bundle is missing, malformed, was trained against other upstream model weights than the ones
    /// loaded, or its fusion was trained on another face path than <see cref="InferenceOptions.FacePath"/>.
    /// </exception>
    public InferenceModels(InferenceOptions options, ILoggerFactory? loggerFactory = null, IInferenceStageObserver? stageObserver = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<InferenceModels>();
        var clock = Stopwatch.StartNew();
        try
        {
            // The bundle first: it is small, and a wrong one should fail before ~150 MB of encoders load.
            Bundle = ModelBundle.Load(options.BundlePath);
            FacePath = options.FacePath;
            RequireFaceSource(Bundle, FacePath);

            Sessions = new OnnxSessionFactory(options.OnnxRuntime, loggerFactory.CreateLogger<OnnxSessionFactory>());
            var verified = new List<string>();

            TextEncoder = Own(new MiniLmEncoder(Sessions, options.Text, Bundle.ReadTextEncoderPatch()));
            Verify(Bundle, UpstreamModels.MiniLm, TextEncoder.UpstreamSha256, required: true, verified);
            if (TextEncoder.PatchSha256 is { } patchSha256)
            {
                Verify(Bundle, UpstreamModels.TextEncoder, patchSha256, required: false, verified);
            }

            FaceDetector = Own(new BlazeFaceDetector(Sessions, options.Face.Detector));
            Verify(Bundle, UpstreamModels.BlazeFace, FaceDetector.UpstreamSha256, required: false, verified);
            if (FacePath == FaceFeaturePath.ResNet18)
            {
                ResNet18 = Own(new ResNet18Featurizer(Sessions, maxBatch: options.Face.MaxBatch));
                Verify(Bundle, UpstreamModels.ResNet18, ResNet18.UpstreamSha256, required: true, verified);
            }
            else
            {
                FerExpression = Own(new FerExpressionModel(Sessions, maxBatch: options.Face.MaxBatch));
                Verify(Bundle, UpstreamModels.FerExpression, FerExpression.UpstreamSha256, required: true, verified);
            }

            Vad = Own(SileroVad.Load(ModelFiles.SileroVad, Sessions));
            Verify(Bundle, UpstreamModels.SileroVad, Vad.UpstreamSha256, required: false, verified);
            SpeechEmbedder = Own(SpeechEmbedder.Load(Bundle.SpeechCnnPath, Sessions, options.Speech.MaxUtterance));
            Verify(Bundle, UpstreamModels.SpeechCnn, UpstreamModels.Sha256OfFile(Bundle.SpeechCnnPath), required: false, verified);

            foreach (var model in Bundle.Manifest.Upstream.Keys.Except(verified, StringComparer.Ordinal))
            {
                LogUpstreamNotChecked(logger, model, Bundle.Directory);
            }

            TextRecognizer = new TextRecognizer(TextEncoder, Bundle.TextHead, stageObserver, Bundle.TextContextTurns);
            FaceRecognizer = new FaceRecognizer(options.Face, FaceDetector, ResNet18, FerExpression, FaceHead(Bundle, FacePath), stageObserver);
            SpeechRecognizer = new SpeechRecognizer(SpeechEmbedder, Bundle.SpeechHead, stageObserver, Bundle.SpeakerNormalizer);
            Segmenters = new SpeechSegmenterFactory(Vad, options.Speech.Segmenter);
            Fusion = Bundle.FusionFor(FaceSourceOf(FacePath))!;
        }
        catch
        {
            Dispose();
            throw;
        }

        LogLoaded(logger, Bundle.Directory, FacePath, Sessions.UsesCuda ? ExecutionProvider.Cuda : ExecutionProvider.Cpu, clock.ElapsedMilliseconds);
    }

    /// <summary>The loaded bundle.</summary>
    public ModelBundle Bundle { get; }

    /// <summary>The one session factory every model was created with.</summary>
    public OnnxSessionFactory Sessions { get; }

    /// <summary>The face path in use.</summary>
    public FaceFeaturePath FacePath { get; }

    /// <summary>all-MiniLM-L6-v2; also the <see cref="ITextEmbedder"/>.</summary>
    public MiniLmEncoder TextEncoder { get; }

    /// <summary>BlazeFace.</summary>
    public BlazeFaceDetector FaceDetector { get; }

    /// <summary>ResNet18 featurizer; null on the expression model path.</summary>
    public ResNet18Featurizer? ResNet18 { get; }

    /// <summary>FER2013 expression model; null on the ResNet18 path.</summary>
    public FerExpressionModel? FerExpression { get; }

    /// <summary>Silero VAD, shared by every call's segmenter.</summary>
    public SileroVad Vad { get; }

    /// <summary>The bundle's speech CNN.</summary>
    public SpeechEmbedder SpeechEmbedder { get; }

    /// <summary>Text → logits through the bundle's text head.</summary>
    public TextRecognizer TextRecognizer { get; }

    /// <summary>Frames → face and logits on <see cref="FacePath"/>.</summary>
    public FaceRecognizer FaceRecognizer { get; }

    /// <summary>Utterances → logits through the speech CNN and the bundle's speech head.</summary>
    public SpeechRecognizer SpeechRecognizer { get; }

    /// <summary>One voice-activity segmenter per call over <see cref="Vad"/>.</summary>
    public SpeechSegmenterFactory Segmenters { get; }

    /// <summary>The bundle's attention and label fusion trained on the configured face path.</summary>
    public FusionModel Fusion { get; }

    /// <summary>The face source name a bundle records for a path.</summary>
    public static string FaceSourceOf(FaceFeaturePath path) => path switch
    {
        FaceFeaturePath.ResNet18 => ResNet18FaceSource,
        FaceFeaturePath.FerExpression => FerFaceSource,
        _ => throw new ArgumentOutOfRangeException(nameof(path), path, "Unknown face feature path."),
    };

    /// <summary>Releases every model session.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
    }

    private T Own<T>(T model)
        where T : IDisposable
    {
        _owned.Add(model);
        return model;
    }

    private static void RequireFaceSource(ModelBundle bundle, FaceFeaturePath path)
    {
        var source = FaceSourceOf(path);
        if (bundle.FusionFor(source) is null)
        {
            throw new ModelBundleException(
                $"Bundle '{bundle.Directory}' fuses face logits of the {string.Join(" and ", bundle.Fusions.Keys.Order(StringComparer.Ordinal).Select(k => $"'{k}'"))} path, but Inference:FacePath is {path} ('{source}'); set a path the fusion was trained on or retrain the bundle.");
        }
    }

    private static void Verify(ModelBundle bundle, string model, string sha256, bool required, List<string> verified)
    {
        if (required || bundle.Manifest.Upstream.ContainsKey(model))
        {
            bundle.VerifyUpstream(model, sha256);
            verified.Add(model);
        }
    }

    // On the expression path the model's log-probabilities are the logits unless the bundle's face
    // head reads exactly those 7 values (a recalibration); a 512-d head belongs to the ResNet18 path.
    private static ModalityHead? FaceHead(ModelBundle bundle, FaceFeaturePath path) =>
        path == FaceFeaturePath.ResNet18 || bundle.FaceHead.InputDimension == FaceRecognizer.ExpressionHeadDimension
            ? bundle.FaceHead
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Inference models loaded from bundle {Bundle} (face path {FacePath}, {Provider}) in {ElapsedMs} ms")]
    private static partial void LogLoaded(ILogger logger, string bundle, FaceFeaturePath facePath, ExecutionProvider provider, long elapsedMs);

    // A model the configured face path does not load (e.g. the FER model on the ResNet18 path) is expected, not a warning.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Bundle {Bundle} records a hash for upstream model '{Model}', which this configuration does not load; not checked")]
    private static partial void LogUpstreamNotChecked(ILogger logger, string model, string bundle);
}
