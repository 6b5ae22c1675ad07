using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Orleans.Inference;

/// <summary>
/// MediaPipe BlazeFace short-range face detector: letterboxes each frame into 128×128, scores the
/// 896 anchors, decodes their boxes and merges overlapping detections by weighted non-maximum
/// suppression. Thread-safe; one instance holds the one shared model session.
/// </summary>
public sealed class BlazeFaceDetector : IDisposable
{
    private const int Size = BlazeFaceAnchors.InputSize;
    private const int BoxValues = 16; // cx, cy, w, h, then six (x, y) keypoints

    private readonly InferenceSession _session;
    private readonly BlazeFaceOptions _options;
    private readonly string _inputName;
    private readonly bool _channelsLast;
    private readonly int _fixedBatch; // 0 when the batch dimension is symbolic

    /// <summary>Loads the detector from <see cref="ModelFiles.BlazeFace"/> or another path.</summary>
    /// <exception cref="ModelBundleException">The model does not have BlazeFace's input.</exception>
    public BlazeFaceDetector(OnnxSessionFactory sessions, BlazeFaceOptions? options = null, string? modelPath = null)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        _options = options ?? new BlazeFaceOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxBatch);
        if (!(_options.ScoreThreshold is > 0f and < 1f) || !(_options.SuppressionIou is > 0f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Score threshold must lie in (0, 1) and suppression IoU in (0, 1].");
        }

        var bytes = ModelFiles.Read(modelPath ?? ModelFiles.BlazeFace);
        UpstreamSha256 = UpstreamModels.Sha256(bytes);
        _session = sessions.Create(bytes);
        try
        {
            if (_session.InputMetadata.Count != 1)
            {
                throw new ModelBundleException($"BlazeFace model has {_session.InputMetadata.Count} inputs; expected one image.");
            }

            var (name, meta) = _session.InputMetadata.First();
            var dims = meta.Dimensions;
            _inputName = name;
            _channelsLast = dims.Length == 4 && dims[3] == 3 && dims[1] == Size && dims[2] == Size;
            var channelsFirst = dims.Length == 4 && dims[1] == 3 && dims[2] == Size && dims[3] == Size;
            if (!_channelsLast && !channelsFirst)
            {
                throw new ModelBundleException($"BlazeFace model input '{name}' is [{string.Join(',', dims)}]; expected [b,128,128,3] or [b,3,128,128].");
            }

            _fixedBatch = dims[0] > 0 ? dims[0] : 0;
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>Lower-case hex SHA-256 of the model file; bundles record it as <see cref="UpstreamModels.BlazeFace"/>.</summary>
    public string UpstreamSha256 { get; }

    /// <summary>The post-processing settings in force.</summary>
    public BlazeFaceOptions Options => _options;

    /// <summary>Detects the faces in each frame, in frame pixel coordinates, most confident first.</summary>
    /// <remarks>
    /// The input (196 KB a frame) and the per-frame copies of the outputs live in pooled arrays: as
    /// fresh arrays they went to the large object heap at every batch, and under load that alone
    /// set off a full background collection every two seconds.
    /// </remarks>
    public IReadOnlyList<FaceBox>[] Detect(IReadOnlyList<Image<Rgb24>> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var results = new IReadOnlyList<FaceBox>[frames.Count];
        var chunk = _fixedBatch > 0 ? _fixedBatch : _options.MaxBatch;
        var pool = ArrayPool<float>.Shared;
        var scores = pool.Rent(BlazeFaceAnchors.Count);
        var boxes = pool.Rent(BlazeFaceAnchors.Count * BoxValues);
        try
        {
            for (var start = 0; start < frames.Count; start += chunk)
            {
                var count = Math.Min(chunk, frames.Count - start);
                var runBatch = _fixedBatch > 0 ? _fixedBatch : count;
                var length = runBatch * Size * Size * 3;
                var input = pool.Rent(length);
                try
                {
                    var letterboxes = new Letterbox[count];
                    for (var i = 0; i < count; i++)
                    {
                        letterboxes[i] = Fill(frames[start + i], input, i * Size * Size * 3);
                    }

                    // A fixed-batch model's padding rows are blank frames (a rented array holds old data).
                    input.AsSpan(count * Size * Size * 3, length - (count * Size * Size * 3)).Fill(-1f);
                    using var outputs = Run(input.AsMemory(0, length), runBatch);
                    var (scoreParts, boxParts) = Heads(outputs, runBatch);
                    for (var i = 0; i < count; i++)
                    {
                        CopyFrame(scoreParts, i, 1, scores);
                        CopyFrame(boxParts, i, BoxValues, boxes);
                        results[start + i] = Decode(
                            scores.AsSpan(0, BlazeFaceAnchors.Count),
                            boxes.AsSpan(0, BlazeFaceAnchors.Count * BoxValues),
                            letterboxes[i],
                            frames[start + i].Width,
                            frames[start + i].Height);
                    }
                }
                finally
                {
                    pool.Return(input);
                }
            }
        }
        finally
        {
            pool.Return(boxes);
            pool.Return(scores);
        }

        return results;
    }

    /// <summary>Detects the faces in one frame.</summary>
    public IReadOnlyList<FaceBox> Detect(Image<Rgb24> frame) => Detect([frame])[0];

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    /// <summary>Resizes the frame, keeping its aspect ratio, into the centre of a black 128×128 input in [-1, 1].</summary>
    private Letterbox Fill(Image<Rgb24> frame, float[] input, int offset)
    {
        var scale = (float)Size / Math.Max(frame.Width, frame.Height);
        var width = Math.Clamp((int)MathF.Round(frame.Width * scale), 1, Size);
        var height = Math.Clamp((int)MathF.Round(frame.Height * scale), 1, Size);
        var left = (Size - width) / 2;
        var top = (Size - height) / 2;
        input.AsSpan(offset, Size * Size * 3).Fill(-1f);
        using var resized = frame.Clone(c => c.Resize(new ResizeOptions { Size = new Size(width, height), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.Triangle }));
        var channelsLast = _channelsLast;
        resized.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var p = row[x];
                    var pixel = ((top + y) * Size) + left + x;
                    var (r, g, b) = ((p.R / 127.5f) - 1f, (p.G / 127.5f) - 1f, (p.B / 127.5f) - 1f);
                    if (channelsLast)
                    {
                        input[offset + (pixel * 3)] = r;
                        input[offset + (pixel * 3) + 1] = g;
                        input[offset + (pixel * 3) + 2] = b;
                    }
                    else
                    {
                        input[offset + pixel] = r;
                        input[offset + (Size * Size) + pixel] = g;
                        input[offset + (2 * Size * Size) + pixel] = b;
                    }
                }
            }
        });

        return new Letterbox(left, top, (float)width / frame.Width, (float)height / frame.Height);
    }

    private IDisposableReadOnlyCollection<OrtValue> Run(Memory<float> input, int batch)
    {
        long[] shape = _channelsLast ? [batch, Size, Size, 3] : [batch, 3, Size, Size];
        using var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input, shape);
        using var runOptions = new RunOptions();
        return _session.Run(runOptions, [_inputName], [value], _session.OutputNames);
    }

    // Output names come from the conversion; the heads are told apart by shape: last dimension 1
    // (scores) or 16 (boxes), the 16×16-grid head (512 anchors) before the 8×8 one (384).
    private static (List<(int Anchors, OrtValue Value)> Scores, List<(int Anchors, OrtValue Value)> Boxes) Heads(IReadOnlyList<OrtValue> outputs, int batch)
    {
        var scoreParts = new List<(int Anchors, OrtValue Value)>();
        var boxParts = new List<(int Anchors, OrtValue Value)>();
        foreach (var output in outputs)
        {
            var dims = output.GetTensorTypeAndShape().Shape;
            if (dims.Length != 3 || dims[0] != batch || dims[2] is not (1 or BoxValues))
            {
                throw new ModelBundleException($"BlazeFace output has shape [{string.Join(',', dims)}]; expected [b,n,1] or [b,n,16].");
            }

            (dims[2] == 1 ? scoreParts : boxParts).Add(((int)dims[1], output));
        }

        foreach (var parts in (ReadOnlySpan<List<(int Anchors, OrtValue Value)>>)[scoreParts, boxParts])
        {
            parts.Sort((a, b) => b.Anchors.CompareTo(a.Anchors));
            if (parts.Sum(p => p.Anchors) != BlazeFaceAnchors.Count)
            {
                throw new ModelBundleException($"BlazeFace outputs cover {parts.Sum(p => p.Anchors)} anchors; expected {BlazeFaceAnchors.Count}.");
            }
        }

        return (scoreParts, boxParts);
    }

    // One frame's values of every head, in anchor order, into the front of the destination.
    private static void CopyFrame(List<(int Anchors, OrtValue Value)> parts, int frame, int width, float[] destination)
    {
        var offset = 0;
        foreach (var (anchors, value) in parts)
        {
            var length = anchors * width;
            value.GetTensorDataAsSpan<float>().Slice(frame * length, length).CopyTo(destination.AsSpan(offset));
            offset += length;
        }
    }

    private List<FaceBox> Decode(ReadOnlySpan<float> rawScores, ReadOnlySpan<float> rawBoxes, Letterbox letterbox, int frameWidth, int frameHeight)
    {
        var candidates = new List<FaceBox>();
        var centres = BlazeFaceAnchors.Centres;
        for (var a = 0; a < BlazeFaceAnchors.Count; a++)
        {
            var score = 1f / (1f + MathF.Exp(-Math.Clamp(rawScores[a], -100f, 100f)));
            if (!(score >= _options.ScoreThreshold))
            {
                continue;
            }

            // Offsets are in input pixels relative to the anchor centre; anchor sizes are 1.
            var box = rawBoxes.Slice(a * BoxValues, 4);
            var cx = (centres[a].X * Size) + box[0];
            var cy = (centres[a].Y * Size) + box[1];
            var w = box[2];
            var h = box[3];
            if (!(w > 0f && h > 0f) || !float.IsFinite(w) || !float.IsFinite(h) || !float.IsFinite(cx) || !float.IsFinite(cy))
            {
                continue;
            }

            candidates.Add(new FaceBox(cx - (w / 2), cy - (h / 2), w, h, score));
        }

        var faces = new List<FaceBox>();
        foreach (var merged in WeightedSuppression.Merge(candidates, _options.SuppressionIou))
        {
            // Back from the letterboxed 128×128 input to frame pixels, clamped to the frame.
            var x0 = Math.Clamp((merged.X - letterbox.Left) / letterbox.ScaleX, 0f, frameWidth);
            var y0 = Math.Clamp((merged.Y - letterbox.Top) / letterbox.ScaleY, 0f, frameHeight);
            var x1 = Math.Clamp((merged.X + merged.Width - letterbox.Left) / letterbox.ScaleX, 0f, frameWidth);
            var y1 = Math.Clamp((merged.Y + merged.Height - letterbox.Top) / letterbox.ScaleY, 0f, frameHeight);
            if (x1 - x0 >= 1f && y1 - y0 >= 1f)
            {
                faces.Add(new FaceBox(x0, y0, x1 - x0, y1 - y0, merged.Score));
            }
        }

        return faces;
    }

    private readonly record struct Letterbox(int Left, int Top, float ScaleX, float ScaleY);
}
