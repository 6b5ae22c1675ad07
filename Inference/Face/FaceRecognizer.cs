using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Frames → decode (every frame validated before any model runs) → BlazeFace → crop of the
/// largest face → class logits by the configured <see cref="FaceFeaturePath"/>. Each model runs
/// once per batch of frames. Thread-safe. The models are shared and not owned: whoever created
/// them disposes them.
/// </summary>
public sealed class FaceRecognizer : IFaceRecognizer
{
    /// <summary>Input width of a head over the expression model's log-probabilities.</summary>
    public const int ExpressionHeadDimension = EmotionLabels.Count;

    private readonly FaceRecognizerOptions _options;
    private readonly FrameDecoder _decoder;
    private readonly BlazeFaceDetector _detector;
    private readonly ResNet18Featurizer? _resNet;
    private readonly FerExpressionModel? _expression;
    private readonly ModalityHead? _head;
    private readonly IInferenceStageObserver? _observer;

    /// <summary>Creates the recognizer for the path named in <paramref name="options"/>.</summary>
    /// <param name="options">Path, crop margin and decoder limits.</param>
    /// <param name="detector">The face detector.</param>
    /// <param name="resNet">The featurizer; required on the <see cref="FaceFeaturePath.ResNet18"/> path.</param>
    /// <param name="expression">The expression model; required on the <see cref="FaceFeaturePath.FerExpression"/> path.</param>
    /// <param name="head">The learned face head: required over the 512 ResNet18 features; optional
    /// over the expression model's 7 log-probabilities (without one they are the logits).</param>
    /// <param name="observer">Told each batch's stage times: decode, detection and crop of every frame;
    /// the face network over the crops; the head over their features. None when null.</param>
    /// <exception cref="ArgumentException">The chosen path's model is missing.</exception>
    /// <exception cref="ModelBundleException">The head reads a different number of features than the path gives.</exception>
    public FaceRecognizer(
        FaceRecognizerOptions options,
        BlazeFaceDetector detector,
        ResNet18Featurizer? resNet = null,
        FerExpressionModel? expression = null,
        ModalityHead? head = null,
        IInferenceStageObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(detector);
        if (!float.IsFinite(options.CropMargin) || options.CropMargin is < 0f or > 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CropMargin, "CropMargin must be a finite number in 0–1.");
        }

        _options = options;
        _decoder = new FrameDecoder(options.Decoder);
        _detector = detector;
        _head = head;
        _observer = observer;
        switch (options.FeaturePath)
        {
            case FaceFeaturePath.ResNet18:
                _resNet = resNet ?? throw new ArgumentException("The ResNet18 path needs the featurizer.", nameof(resNet));
                if (head is null)
                {
                    throw new ArgumentException("The ResNet18 path needs the bundle's face head.", nameof(head));
                }

                RequireHeadWidth(head, ResNet18Featurizer.Dimension);
                break;
            case FaceFeaturePath.FerExpression:
                _expression = expression ?? throw new ArgumentException("The expression path needs the expression model.", nameof(expression));
                if (head is not null)
                {
                    RequireHeadWidth(head, ExpressionHeadDimension);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.FeaturePath, "Unknown face feature path.");
        }
    }

    /// <summary>The path in use.</summary>
    public FaceFeaturePath FeaturePath => _options.FeaturePath;

    /// <inheritdoc />
    public IReadOnlyList<FaceObservation> Recognize(IReadOnlyList<ReadOnlyMemory<byte>> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            return [];
        }

        var clock = new StageClock(_observer, Modality.Face);
        var images = _decoder.DecodeAll(frames);
        var crops = new List<Image<Rgb24>>();
        try
        {
            var detections = _detector.Detect(images);
            var faces = new FaceBox?[images.Length];
            var cropOf = new int[images.Length];
            for (var i = 0; i < images.Length; i++)
            {
                cropOf[i] = -1;
                faces[i] = Largest(detections[i]);
                if (faces[i] is { } face)
                {
                    cropOf[i] = crops.Count;
                    crops.Add(FaceImages.Crop(images[i], face, _options.CropMargin));
                }
            }

            clock.Completed(InferenceStage.Decode, images.Length);
            var logits = crops.Count == 0 ? [] : Logits(crops, ref clock);
            var observations = new FaceObservation[images.Length];
            for (var i = 0; i < images.Length; i++)
            {
                observations[i] = cropOf[i] < 0
                    ? FaceObservation.NoFace
                    : new FaceObservation(faces[i], ModalityPrediction.FromLogits(Modality.Face, logits[cropOf[i]]));
            }

            if (crops.Count > 0)
            {
                clock.Completed(InferenceStage.Classifier, crops.Count);
            }

            return observations;
        }
        finally
        {
            foreach (var crop in crops)
            {
                crop.Dispose();
            }

            foreach (var image in images)
            {
                image.Dispose();
            }
        }
    }

    /// <summary>The detection with the largest area; null when there is none.</summary>
    public static FaceBox? Largest(IReadOnlyList<FaceBox> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        FaceBox? largest = null;
        foreach (var face in faces)
        {
            if (largest is null || face.Width * face.Height > largest.Width * largest.Height)
            {
                largest = face;
            }
        }

        return largest;
    }

    private float[][] Logits(List<Image<Rgb24>> crops, ref StageClock clock)
    {
        var features = _options.FeaturePath == FaceFeaturePath.ResNet18
            ? _resNet!.Featurize(crops)
            : _expression!.LogProbabilities(crops);
        clock.Completed(InferenceStage.Model, crops.Count);
        if (_head is null)
        {
            return features;
        }

        var logits = new float[features.Length][];
        for (var i = 0; i < features.Length; i++)
        {
            logits[i] = _head.Logits(features[i]);
        }

        return logits;
    }

    private static void RequireHeadWidth(ModalityHead head, int width)
    {
        if (head.InputDimension != width)
        {
            throw new ModelBundleException($"The face head reads {head.InputDimension} features; this path gives {width}.");
        }
    }
}
