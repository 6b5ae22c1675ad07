using System.Buffers;
using NWaves.FeatureExtractors.Options;
using NWaves.Filters.Fda;
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

    // NWaves extractors keep per-frame buffers (FFT, spectra), so each thread gets its own, built once.
    [ThreadStatic]
    private static SparseMfccExtractor? t_extractor;

    /// <summary>
    /// Normalised MFCC frames of the whole utterance: one array of <see cref="Coefficients"/> per
    /// 10 ms hop (at least one frame; input shorter than 25 ms is zero-padded).
    /// </summary>
    public static float[][] ComputeFrames(ReadOnlySpan<float> samples16k, MfccNormalization normalization = MfccNormalization.Utterance)
    {
        var frames = ComputeRawFrames(samples16k);
        Normalise(frames, normalization);

        return frames;
    }

    /// <summary>MFCC frames as NWaves computes them, without normalisation.</summary>
    public static float[][] ComputeRawFrames(ReadOnlySpan<float> samples16k)
    {
        // Input shorter than one frame is zero-padded to one frame.
        var length = Math.Max(samples16k.Length, FrameSamples);
        var frames = new float[((length - FrameSamples) / HopSamples) + 1][];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = new float[Coefficients];
        }

        var samples = ArrayPool<float>.Shared.Rent(length);
        try
        {
            samples16k.CopyTo(samples);
            samples.AsSpan(samples16k.Length, length - samples16k.Length).Clear();
            var extractor = t_extractor ??= new SparseMfccExtractor();
            extractor.ComputeFrom(samples, 0, length, frames);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(samples);
        }

        return frames;
    }

    /// <summary>
    /// The fixed <see cref="Coefficients"/> × <see cref="Frames"/> matrix (row-major: coefficient,
    /// frame) of an utterance: longer utterances keep their centre 3 s, shorter ones are centred
    /// and zero-padded (zero is each coefficient's mean after normalisation).
    /// </summary>
    public static float[] Compute(ReadOnlySpan<float> samples16k, MfccNormalization normalization = MfccNormalization.Utterance)
    {
        var matrix = new float[MatrixLength];
        Compute(samples16k, normalization, matrix);
        return matrix;
    }

    /// <summary>The same matrix, written into <paramref name="matrix"/> (<see cref="MatrixLength"/> values), e.g. a slot of a batch.</summary>
    public static void Compute(ReadOnlySpan<float> samples16k, MfccNormalization normalization, Span<float> matrix)
    {
        var frames = ComputeFrames(samples16k, normalization);
        WriteMatrix(frames, CentreOffset(frames.Length), matrix);
    }

    /// <summary>
    /// The same matrix from frames already computed by <see cref="ComputeRawFrames"/> (left as they are),
    /// so that a caller who also needs the raw frames (e.g. for <see cref="MfccStatistics"/>) computes them once.
    /// </summary>
    public static void ComputeFromRawFrames(float[][] rawFrames, MfccNormalization normalization, Span<float> matrix)
    {
        ArgumentNullException.ThrowIfNull(rawFrames);
        var frames = rawFrames.Select(f => (float[])f.Clone()).ToArray();
        Normalise(frames, normalization);

        WriteMatrix(frames, CentreOffset(frames.Length), matrix);
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

    private static void Normalise(float[][] frames, MfccNormalization normalization)
    {
        if (normalization == MfccNormalization.Utterance)
        {
            Normalise(frames);
        }
        else
        {
            RemoveLevel(frames);
        }
    }

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

    /// <summary>
    /// NWaves' MFCC extractor with the same framing, pre-emphasis, window and FFT, whose mel
    /// filter bank skips the zero weights of each triangular filter (about 475 of 64 × 257) and
    /// whose DCT reads a flat copy of NWaves' own matrix. The sums keep NWaves' order and only
    /// leave out exact zero products, so every coefficient is bit-for-bit what NWaves computes.
    /// </summary>
    private sealed class SparseMfccExtractor : NwMfccExtractor
    {
        private readonly int[] _filterStart;
        private readonly float[][] _filterWeights;
        private readonly float[] _dctMatrix; // row-major Coefficients × MelBands
        private readonly float _dctScale = (float)Math.Sqrt(0.5 / MelBands);
        private readonly float _dctFirstScale = (float)Math.Sqrt(0.5);

        public SparseMfccExtractor()
            : base(new MfccOptions
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
            })
        {
            // The options above must keep NWaves on the path ProcessFrame reproduces.
            if (_dctType != "2N" || _nonLinearityType != NonLinearityType.Log10 || _spectrumType != SpectrumType.Power
                || _lifterCoeffs is not null || _includeEnergy || FilterBank.Length != MelBands)
            {
                throw new InvalidOperationException("The MFCC options no longer match the sparse extractor.");
            }

            _filterStart = new int[MelBands];
            _filterWeights = new float[MelBands][];
            for (var m = 0; m < MelBands; m++)
            {
                var row = FilterBank[m];
                var first = Array.FindIndex(row, w => w != 0);
                var last = Array.FindLastIndex(row, w => w != 0);
                _filterStart[m] = Math.Max(first, 0);
                _filterWeights[m] = first < 0 ? [] : row[first..(last + 1)];
            }

            // Column j of the DCT matrix is the transform of the j-th unit vector (0 + 1 × w is exact).
            _dctMatrix = new float[Coefficients * MelBands];
            var unit = new float[MelBands];
            var column = new float[Coefficients];
            for (var j = 0; j < MelBands; j++)
            {
                unit[j] = 1;
                _dct.Direct(unit, column);
                unit[j] = 0;
                for (var c = 0; c < Coefficients; c++)
                {
                    _dctMatrix[(c * MelBands) + j] = column[c];
                }
            }
        }

        public override void ProcessFrame(float[] block, float[] features)
        {
            _fft.PowerSpectrum(block, _spectrum, normalize: false);
            var spectrum = _spectrum;
            var mel = _melSpectrum;
            if (AllFinite(spectrum))
            {
                for (var m = 0; m < mel.Length; m++)
                {
                    var weights = _filterWeights[m];
                    var bins = spectrum.AsSpan(_filterStart[m], weights.Length);
                    var sum = 0f;
                    for (var k = 0; k < weights.Length; k++)
                    {
                        sum += weights[k] * bins[k];
                    }

                    mel[m] = (float)Math.Log10(Math.Max(sum, _logFloor));
                }
            }
            else
            {
                // 0 × ∞ is NaN in the dense sum: leave such frames to NWaves.
                FilterBanks.ApplyAndLog10(FilterBank, spectrum, mel, _logFloor);
            }

            var matrix = _dctMatrix.AsSpan();
            for (var c = 0; c < features.Length; c++)
            {
                var row = matrix.Slice(c * MelBands, MelBands);
                var sum = 0f;
                for (var j = 0; j < row.Length; j++)
                {
                    sum += mel[j] * row[j];
                }

                features[c] = sum * _dctScale;
            }

            features[0] *= _dctFirstScale;
        }

        private static bool AllFinite(float[] values)
        {
            foreach (var value in values)
            {
                if (!float.IsFinite(value))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
