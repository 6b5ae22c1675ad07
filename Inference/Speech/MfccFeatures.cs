using NWaves.FeatureExtractors.Options;
using NWaves.Windows;
using NwMfccExtractor = NWaves.FeatureExtractors.MfccExtractor;

namespace Emotion.Orleans.Inference;

/// <summary>
/// MFCC features of a 16 kHz utterance (NWaves: 25 ms Hamming window, 10 ms hop, 64 mel bands,
/// 40 coefficients), normalised per utterance and per coefficient to zero mean and unit variance.
/// The per-utterance normalisation removes much of the speaker and channel colouring, as
/// per-speaker normalisation does. Thread-safe.
/// </summary>
public sealed class MfccFeatures
{
    /// <summary>Coefficients per frame (rows of the fixed matrix).</summary>
    public const int Coefficients = 40;

    /// <summary>Frames of the fixed matrix (columns): 300 hops of 10 ms = 3 s.</summary>
    public const int Frames = 300;

    /// <summary>Sample rate every feature is computed at.</summary>
    public const int SampleRate = PcmAudio.SampleRate;

    /// <summary>Mel filters under the cepstrum.</summary>
    public const int MelBands = 64;

    private const int FrameSamples = 400; // 25 ms
    private const int HopSamples = 160; // 10 ms
    private const float MinStd = 1e-4f;

    // Brings raw NWaves cepstra (log-energy scale, |c| up to ~50) near unit range.
    private const float LevelScale = 0.1f;

    /// <summary>Length of a fixed matrix: <see cref="Coefficients"/> × <see cref="Frames"/>.</summary>
    public const int MatrixLength = Coefficients * Frames;

    /// <summary>
    /// Normalised MFCC frames of the whole utterance: one array of <see cref="Coefficients"/> per
    /// 10 ms hop (at least one frame; input shorter than 25 ms is zero-padded).
    /// </summary>
    public static float[][] ComputeFrames(ReadOnlySpan<float> samples16k, MfccNormalization normalization = MfccNormalization.Utterance)
    {
        var frames = ComputeRawFrames(samples16k);
        if (normalization == MfccNormalization.Utterance)
        {
            Normalise(frames);
        }
        else
        {
            RemoveLevel(frames);
        }

        return frames;
    }

    /// <summary>MFCC frames as NWaves computes them, without normalisation.</summary>
    public static float[][] ComputeRawFrames(ReadOnlySpan<float> samples16k)
    {
        var samples = new float[Math.Max(samples16k.Length, FrameSamples)];
        samples16k.CopyTo(samples);

        // NWaves extractors keep per-call buffers, so each call gets its own (construction is cheap).
        var extractor = new NwMfccExtractor(new MfccOptions
        {
            SamplingRate = SampleRate,
            FeatureCount = Coefficients,
            FrameSize = FrameSamples,
            HopSize = HopSamples,
            FilterBankSize = MelBands,
            LowFrequency = 20,
            HighFrequency = 7600,
            FftSize = 512,
            Window = WindowType.Hamming,
            PreEmphasis = 0.97,
        });
        return extractor.ComputeFrom(samples).ToArray();
    }

    /// <summary>
    /// The fixed <see cref="Coefficients"/> × <see cref="Frames"/> matrix (row-major: coefficient,
    /// frame) of an utterance: longer utterances keep their centre 3 s, shorter ones are centred
    /// and zero-padded (zero is each coefficient's mean after normalisation).
    /// </summary>
    public static float[] Compute(ReadOnlySpan<float> samples16k, MfccNormalization normalization = MfccNormalization.Utterance)
    {
        var matrix = new float[MatrixLength];
        var frames = ComputeFrames(samples16k, normalization);
        WriteMatrix(frames, CentreOffset(frames.Length), matrix);
        return matrix;
    }

    /// <summary>
    /// Writes frames into a fixed matrix. A non-negative <paramref name="offset"/> skips that many
    /// frames (cropping); a negative one leaves that many zero frames first (padding).
    /// </summary>
    public static void WriteMatrix(float[][] frames, int offset, Span<float> matrix)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (matrix.Length != MatrixLength)
        {
            throw new ArgumentException($"The matrix needs {MatrixLength} values.", nameof(matrix));
        }

        matrix.Clear();
        for (var t = 0; t < Frames; t++)
        {
            var source = t + offset;
            if (source < 0 || source >= frames.Length)
            {
                continue;
            }

            var frame = frames[source];
            for (var c = 0; c < Coefficients; c++)
            {
                matrix[(c * Frames) + t] = frame[c];
            }
        }
    }

    /// <summary>The offset that centres <paramref name="frameCount"/> frames in the fixed window.</summary>
    public static int CentreOffset(int frameCount) => (frameCount - Frames) / 2;

    /// <summary>Subtracts the utterance mean of coefficient 0 (the level) and scales all coefficients by <see cref="LevelScale"/>.</summary>
    private static void RemoveLevel(float[][] frames)
    {
        var mean = frames.Average(f => (double)f[0]);
        foreach (var frame in frames)
        {
            frame[0] = (float)(frame[0] - mean);
            for (var c = 0; c < Coefficients; c++)
            {
                frame[c] *= LevelScale;
            }
        }
    }

    private static void Normalise(float[][] frames)
    {
        for (var c = 0; c < Coefficients; c++)
        {
            double sum = 0;
            double sumSq = 0;
            foreach (var frame in frames)
            {
                sum += frame[c];
                sumSq += (double)frame[c] * frame[c];
            }

            var mean = sum / frames.Length;
            var std = Math.Sqrt(Math.Max(0, (sumSq / frames.Length) - (mean * mean)));
            var scale = std < MinStd ? 0f : (float)(1 / std);
            foreach (var frame in frames)
            {
                frame[c] = (float)(frame[c] - mean) * scale;
            }
        }
    }
}
