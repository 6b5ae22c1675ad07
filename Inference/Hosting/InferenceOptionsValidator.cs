using System.Globalization;
using Microsoft.Extensions.Options;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Checks <see cref="InferenceOptions"/> before any model loads: the bundle folder exists, enums are
/// known, thread counts are not negative, limits, batch sizes and durations are positive, thresholds
/// lie in range.
/// </summary>
public sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Require(bool condition, string message)
        {
            if (!condition)
            {
                failures.Add(message);
            }
        }

        if (string.IsNullOrWhiteSpace(options.BundlePath))
        {
            failures.Add("Inference:BundlePath is required.");
        }
        else
        {
            Require(Directory.Exists(options.BundlePath), $"Inference:BundlePath '{options.BundlePath}' is not a folder.");
        }

        Require(options.OnnxRuntime is not null, "Inference:OnnxRuntime is required.");
        if (options.OnnxRuntime is { } onnx)
        {
            Require(Enum.IsDefined(onnx.Provider), $"Inference:OnnxRuntime:Provider '{onnx.Provider}' is not Cpu or Cuda.");
            Require(onnx.CudaDeviceId >= 0, "Inference:OnnxRuntime:CudaDeviceId must not be negative.");
            Require(onnx.IntraOpThreads >= 0, "Inference:OnnxRuntime:IntraOpThreads must not be negative (0 lets ONNX Runtime choose).");
        }

        Require(options.Text is not null, "Inference:Text is required.");
        if (options.Text is { } text)
        {
            Require(
                text.MaxTokens is >= 3 and <= MiniLmTokenizer.ModelMaxTokens,
                string.Create(CultureInfo.InvariantCulture, $"Inference:Text:MaxTokens must lie in 3–{MiniLmTokenizer.ModelMaxTokens}."));
            Require(text.MaxCharacters > 0, "Inference:Text:MaxCharacters must be positive.");
        }

        Require(options.Face is not null, "Inference:Face is required.");
        if (options.Face is { } face)
        {
            Require(Enum.IsDefined(face.FeaturePath), $"Inference:FacePath '{face.FeaturePath}' is not ResNet18 or FerExpression.");
            Require(float.IsFinite(face.CropMargin) && face.CropMargin is >= 0f and <= 1f, "Inference:Face:CropMargin must lie in 0–1.");
            Require(face.MaxBatch > 0, "Inference:Face:MaxBatch must be positive.");
            Require(face.Decoder is not null, "Inference:Face:Decoder is required.");
            if (face.Decoder is { } decoder)
            {
                Require(decoder.MaxBytes > 0, "Inference:Face:Decoder:MaxBytes must be positive.");
                Require(decoder.MaxWidth > 0, "Inference:Face:Decoder:MaxWidth must be positive.");
                Require(decoder.MaxHeight > 0, "Inference:Face:Decoder:MaxHeight must be positive.");
                Require(decoder.MaxPixels > 0, "Inference:Face:Decoder:MaxPixels must be positive.");
                Require(decoder.WorkingMaxSide > 0, "Inference:Face:Decoder:WorkingMaxSide must be positive.");
                Require(decoder.MaxConcurrentLargeDecodes > 0, "Inference:Face:Decoder:MaxConcurrentLargeDecodes must be positive.");
            }

            Require(face.Detector is not null, "Inference:Face:Detector is required.");
            if (face.Detector is { } detector)
            {
                Require(detector.ScoreThreshold is > 0f and < 1f, "Inference:Face:Detector:ScoreThreshold must lie in (0, 1).");
                Require(detector.SuppressionIou is > 0f and <= 1f, "Inference:Face:Detector:SuppressionIou must lie in (0, 1].");
                Require(detector.MaxBatch > 0, "Inference:Face:Detector:MaxBatch must be positive.");
            }
        }

        Require(options.Speech is not null, "Inference:Speech is required.");
        if (options.Speech is { } speech)
        {
            Require(speech.MaxUtterance > TimeSpan.Zero, "Inference:Speech:MaxUtterance must be positive.");
            Require(speech.Segmenter is not null, "Inference:Speech:Segmenter is required.");
            if (speech.Segmenter is { } segmenter)
            {
                Require(segmenter.MinSpeech >= TimeSpan.Zero, "Inference:Speech:Segmenter:MinSpeech must not be negative.");
                Require(segmenter.MinSilence > TimeSpan.Zero, "Inference:Speech:Segmenter:MinSilence must be positive.");
                Require(segmenter.SpeechPadding >= TimeSpan.Zero, "Inference:Speech:Segmenter:SpeechPadding must not be negative.");
                Require(segmenter.MaxSegment > TimeSpan.Zero, "Inference:Speech:Segmenter:MaxSegment must be positive.");
                Require(segmenter.MaxChunk > TimeSpan.Zero, "Inference:Speech:Segmenter:MaxChunk must be positive.");
                Require(
                    speech.MaxUtterance >= segmenter.MaxSegment,
                    "Inference:Speech:MaxUtterance must be at least Inference:Speech:Segmenter:MaxSegment, or the recognizer would refuse whole segments.");
                try
                {
                    // The segmenter's own consistency rules (threshold order, padding below silence, ...).
                    segmenter.Validate();
                }
                catch (ArgumentException ex)
                {
                    failures.Add($"Inference:Speech:Segmenter: {ex.Message}");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
