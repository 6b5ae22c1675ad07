using System.Diagnostics;
using System.Globalization;
using Emotion.Orleans.Inference;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Orleans.Training;

/// <summary>
/// Runs the product's own encoders over dataset items, through <see cref="FeatureCache"/>:
/// MiniLM for text, the speech CNN's embedding for RAVDESS audio, ResNet18 (and, for the
/// comparison, the pretrained FER2013 expression model) for FER2013 images. FER2013 images are
/// already 48×48 face crops, so BlazeFace is not run on them; they go to the featurizers whole.
/// </summary>
internal sealed class FeatureExtractor : IDisposable
{
    private const int TextBatch = 64;
    private const int SpeechBatch = 16;
    private const int ImageBatch = 64;

    private readonly FeatureCache _cache;
    private readonly TextWriter _log;
    private readonly MiniLmEncoder _text;
    private readonly SpeechEmbedder _speech;
    private readonly ResNet18Featurizer _resNet;
    private readonly FerExpressionModel _fer;

    public FeatureExtractor(FeatureCache cache, string speechCnnPath, TextWriter log, byte[]? textEncoderPatch = null)
    {
        _cache = cache;
        _log = log;
        var sessions = new OnnxSessionFactory();
        _text = new MiniLmEncoder(sessions, patch: textEncoderPatch);
        _speech = SpeechEmbedder.Load(speechCnnPath, sessions);
        _resNet = new ResNet18Featurizer(sessions);
        _fer = new FerExpressionModel(sessions);
        SpeechCnnSha256 = UpstreamModels.Sha256OfFile(speechCnnPath);
        FerSha256 = UpstreamModels.Sha256OfFile(ModelFiles.FerExpression);
    }

    public string MiniLmSha256 => _text.UpstreamSha256;

    /// <summary>SHA-256 of the text encoder patch; null when MiniLM runs as packaged.</summary>
    public string? TextEncoderSha256 => _text.PatchSha256;

    /// <summary>The id text heads record for the encoder in use.</summary>
    public string TextEncoderId => _text.Id;

    public string ResNet18Sha256 => _resNet.UpstreamSha256;

    public string SpeechCnnSha256 { get; }

    public string FerSha256 { get; }

    public float[][] Text(string name, IReadOnlyList<LabelledItem> items) =>
        Cached(name, _text.WeightsSha256, items, TextBatch, batch => _text.Embed([.. batch.Select(i => i.Content)]));

    public float[][] Speech(string name, IReadOnlyList<LabelledItem> items) =>
        Cached(name, SpeechCnnSha256 + "+trimmed", items, SpeechBatch, batch => SpeechRecognizer.Features(_speech, [.. batch.Select(i => RavdessClips.ReadWav(i.Content))], withStatistics: false));

    /// <summary>[MFCC statistics; speech CNN embedding; prosody statistics] of each clip, silence trimmed, as the live speech recognizer computes them.</summary>
    public float[][] SpeechCombined(string name, IReadOnlyList<LabelledItem> items) =>
        Cached(name, SpeechCnnSha256 + "+trimmed+mfcc-statistics-280+prosody-23-shortest-peak", items, SpeechBatch, batch => SpeechRecognizer.Features(_speech, [.. batch.Select(i => RavdessClips.ReadWav(i.Content))], withStatistics: true));

    public float[][] ResNet18(string name, IReadOnlyList<LabelledItem> items) =>
        Cached(name, _resNet.UpstreamSha256, items, ImageBatch, batch => WithImages(batch, _resNet.Featurize));

    /// <summary>The pretrained expression model's probabilities, in project label order.</summary>
    public float[][] FerProbabilities(string name, IReadOnlyList<LabelledItem> items) =>
        Cached(name, FerSha256, items, ImageBatch, batch => WithImages(batch, _fer.Probabilities));

    public void Dispose()
    {
        _text.Dispose();
        _speech.Dispose();
        _resNet.Dispose();
        _fer.Dispose();
    }

    private static float[][] WithImages(IReadOnlyList<LabelledItem> batch, Func<IReadOnlyList<Image<Rgb24>>, float[][]> run)
    {
        var images = batch.Select(i => Image.Load<Rgb24>(i.Content)).ToArray();
        try
        {
            return run(images);
        }
        finally
        {
            foreach (var image in images)
            {
                image.Dispose();
            }
        }
    }

    private float[][] Cached(string name, string encoderSha256, IReadOnlyList<LabelledItem> items, int batchSize, Func<IReadOnlyList<LabelledItem>, float[][]> encode)
    {
        var key = FeatureCache.Key(name, encoderSha256, items.Select(i => $"{i.Dataset}\t{i.Id}\t{i.Content}"));
        return _cache.GetOrCompute(key, () =>
        {
            var clock = Stopwatch.StartNew();
            var rows = new float[items.Count][];
            for (var start = 0; start < items.Count; start += batchSize)
            {
                var batch = items.Skip(start).Take(batchSize).ToArray();
                encode(batch).CopyTo(rows, start);
            }

            _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  encoded {name}: {items.Count} items in {clock.Elapsed.TotalSeconds:0.0} s"));
            return rows;
        });
    }
}
