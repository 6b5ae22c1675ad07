using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>
/// Face: JPEG decode, BlazeFace, the ResNet18 featurizer and the FER expression model, then
/// <see cref="FaceRecognizer.Recognize"/> end to end, beside raw runs of the same ONNX graphs.
/// One timed call handles B frames of 640×480 JPEG, each with one FER2013 dev face (scaled to
/// 192 px) pasted in; the frames are alike in size, so the first B stand for any B.
/// </summary>
internal sealed class FaceBench : IBenchSection
{
    private const int FrameCount = 32;
    private const int FrameWidth = 640;
    private const int FrameHeight = 480;
    private const int FaceSide = 192;

    public string Modality => "face";

    public IReadOnlyList<BenchRow> Run(BenchContext context)
    {
        var faces = Fer2013Faces();
        if (faces.Count < FrameCount)
        {
            context.Note(Modality, $"{FrameCount} FER2013 dev images needed to build the frames, {faces.Count} found (set EMOTION_DATASETS); face section not measured");
            return [];
        }

        var frames = faces.Select((path, i) => (ReadOnlyMemory<byte>)Frame(path, i)).ToArray();
        var detectorOptions = new BlazeFaceOptions();
        using var detector = new BlazeFaceDetector(context.Sessions, detectorOptions);
        using var resNet = new ResNet18Featurizer(context.Sessions);
        using var expression = new FerExpressionModel(context.Sessions);
        using var rawDetector = new RawModel(context.Sessions.Create(ModelFiles.BlazeFace));
        using var rawResNet = new RawModel(context.Sessions.Create(OnnxGraphRewrite.WithSymbolicBatch(File.ReadAllBytes(ModelFiles.ResNet18), "ResNet18")));
        using var rawExpression = new RawModel(context.Sessions.Create(ModelFiles.FerExpression));
        var (recognizer, path, rawEndToEnd) = CreateRecognizer(context, detector, resNet, expression, rawResNet, rawExpression);

        var decoder = new FrameDecoder();
        var decoded = decoder.DecodeAll(frames);
        var cropList = new List<Image<Rgb24>>();
        try
        {
            var detections = detector.Detect(decoded);
            for (var i = 0; i < decoded.Length; i++)
            {
                // A frame whose face BlazeFace misses still gives the featurizers a crop of the same size.
                var face = FaceRecognizer.Largest(detections[i]) ?? new FaceBox((FrameWidth - FaceSide) / 2f, (FrameHeight - FaceSide) / 2f, FaceSide, FaceSide, 0f);
                cropList.Add(FaceImages.Crop(decoded[i], face, new FaceRecognizerOptions().CropMargin));
            }

            var crops = cropList.ToArray();
            var found = detections.Count(d => d.Count > 0);
            context.Note(Modality, string.Create(CultureInfo.InvariantCulture, $"workload: {FrameCount} JPEG frames {FrameWidth}×{FrameHeight} (q90, {frames.Average(f => f.Length) / 1024:0} KiB avg), a FER2013 dev face scaled to {FaceSide} px in each; BlazeFace found a face in {found}"));
            context.Note(Modality, $"end-to-end path: {path}; raw ORT columns run the same graphs on inputs of the same shape (BlazeFace batch ≤ {detectorOptions.MaxBatch}{(rawDetector.FixedBatch > 0 ? $", fixed at {rawDetector.FixedBatch}" : string.Empty)}); for recognize, raw ORT is BlazeFace + the path's classifier, so its ratio is the cost of decode, letterbox, NMS and crops");

            var rows = new List<BenchRow>();
            foreach (var batchSize in context.Options.BatchSizes)
            {
                var frameBatch = frames[..batchSize];
                var imageBatch = decoded[..batchSize];
                var cropBatch = crops[..batchSize];
                var note = $"1 call of {batchSize} frame{(batchSize == 1 ? string.Empty : "s")}";

                var decode = Sampler.Interleaved(context.Options.Plan, () =>
                {
                    foreach (var image in decoder.DecodeAll(frameBatch))
                    {
                        image.Dispose();
                    }
                })[0];
                rows.Add(Row("decode (JPEG → RGB)", batchSize, decode, null, note));

                var detect = Sampler.Interleaved(
                    context.Options.Plan,
                    () => rawDetector.Run(batchSize, detectorOptions.MaxBatch),
                    () => detector.Detect(imageBatch));
                rows.Add(Row("detect (BlazeFace + NMS)", batchSize, detect[1], detect[0], note));

                var features = Sampler.Interleaved(
                    context.Options.Plan,
                    () => rawResNet.Run(batchSize, int.MaxValue),
                    () => resNet.Featurize(cropBatch),
                    () => rawExpression.Run(batchSize, int.MaxValue),
                    () => expression.LogProbabilities(cropBatch));
                rows.Add(Row("ResNet18 featurize (crop → 512)", batchSize, features[1], features[0], note));
                rows.Add(Row("FER expression (crop → 7)", batchSize, features[3], features[2], note));

                var endToEnd = Sampler.Interleaved(
                    context.Options.Plan,
                    () =>
                    {
                        rawDetector.Run(batchSize, detectorOptions.MaxBatch);
                        rawEndToEnd.Run(batchSize, int.MaxValue);
                    },
                    () => recognizer.Recognize(frameBatch));
                rows.Add(Row($"recognize ({path})", batchSize, endToEnd[1], endToEnd[0], note) with { EndToEnd = true });
            }

            return rows;
        }
        finally
        {
            foreach (var image in cropList.Concat(decoded))
            {
                image.Dispose();
            }
        }
    }

    private BenchRow Row(string stage, int batch, Sample sample, Sample? raw, string note) =>
        BenchRow.Of(Modality, stage, batch, batch, sample, raw, note);

    /// <summary>The ResNet18 path when the bundle's face head reads its 512 features, else the FER path (its log-probabilities as logits).</summary>
    private (FaceRecognizer Recognizer, string Path, RawModel Raw) CreateRecognizer(
        BenchContext context, BlazeFaceDetector detector, ResNet18Featurizer resNet, FerExpressionModel expression, RawModel rawResNet, RawModel rawExpression)
    {
        if (context.Bundle?.FaceHead is { InputDimension: ResNet18Featurizer.Dimension } head)
        {
            try
            {
                context.Bundle.VerifyUpstream(UpstreamModels.ResNet18, resNet.UpstreamSha256);
                var options = new FaceRecognizerOptions { FeaturePath = FaceFeaturePath.ResNet18 };
                return (new FaceRecognizer(options, detector, resNet, head: head), "decode+BlazeFace+crop+ResNet18+head", rawResNet);
            }
            catch (ModelBundleException ex)
            {
                context.Note(Modality, $"bundle face head not measured: {ex.Message}");
            }
        }
        else
        {
            context.Note(Modality, "no bundle face head over ResNet18: end-to-end measured on the FER path");
        }

        var ferOptions = new FaceRecognizerOptions { FeaturePath = FaceFeaturePath.FerExpression };
        return (new FaceRecognizer(ferOptions, detector, expression: expression), "decode+BlazeFace+crop+FER", rawExpression);
    }

    /// <summary>The first <see cref="FrameCount"/> dev images that have no duplicates, spread over the labels.</summary>
    private static IReadOnlyList<string> Fer2013Faces()
    {
        var dev = Datasets.Folder(Path.Combine("fer2013", "dev"), "labels.csv");
        if (dev is null)
        {
            return [];
        }

        return
        [
            .. Datasets.ReadCsv(Path.Combine(dev, "labels.csv"))
                .Where(row => row["identical_copies"] == "1")
                .GroupBy(row => row["label7"], StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(g => g.Take(5))
                .Take(FrameCount)
                .Select(row => Path.Combine(dev, row["path"])),
        ];
    }

    /// <summary>A 640×480 JPEG: a soft gradient background with the face pasted at a place that moves from frame to frame.</summary>
    private static byte[] Frame(string facePath, int index)
    {
        using var face = Image.Load<Rgb24>(facePath);
        face.Mutate(c => c.Resize(FaceSide, FaceSide, KnownResamplers.Bicubic));
        using var frame = new Image<Rgb24>(FrameWidth, FrameHeight);
        frame.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    row[x] = new Rgb24((byte)(90 + (x * 60 / FrameWidth)), (byte)(110 + (y * 50 / FrameHeight)), 140);
                }
            }
        });
        var left = 40 + ((index * 97) % (FrameWidth - FaceSide - 80));
        var top = 20 + ((index * 53) % (FrameHeight - FaceSide - 40));
        frame.Mutate(c => c.DrawImage(face, new Point(left, top), 1f));
        using var stream = new MemoryStream();
        frame.SaveAsJpeg(stream, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 90 });
        return stream.ToArray();
    }
}
