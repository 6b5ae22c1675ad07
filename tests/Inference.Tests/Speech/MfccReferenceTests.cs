using System.Text.Json;
using NWaves.FeatureExtractors.Options;
using NWaves.Windows;
using NwMfccExtractor = NWaves.FeatureExtractors.MfccExtractor;

namespace Emotion.Orleans.Inference.Tests;

/// <summary>
/// The MFCC path computes each coefficient bit for bit as a plain NWaves extractor built per call
/// did: against values recorded from that implementation, and against NWaves itself.
/// </summary>
public sealed class MfccReferenceTests
{
    [Fact]
    public void Mfcc_frames_equal_the_values_recorded_from_the_per_call_nwaves_extractor()
    {
        // Recorded before the extractor was cached: 0.5 s and 10 ms of ReferenceSignal.
        var reference = JsonSerializer.Deserialize<Dictionary<string, float[][]>>(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "mfcc-nwaves.json")))!;
        var signal = ReferenceSignal(8000);

        AssertBitwiseEqual(reference["raw"], MfccFeatures.ComputeRawFrames(signal));
        AssertBitwiseEqual(reference["utterance"], MfccFeatures.ComputeFrames(signal, MfccNormalization.Utterance));
        AssertBitwiseEqual(reference["level"], MfccFeatures.ComputeFrames(signal, MfccNormalization.Level));
        AssertBitwiseEqual(reference["rawShort"], MfccFeatures.ComputeRawFrames(ReferenceSignal(160)));
    }

    [Fact]
    public void Mfcc_frames_equal_nwaves_on_noise_speech_like_tones_and_overflowing_samples()
    {
        var overflowing = ReferenceSignal(4000);
        overflowing[1234] = 1e30f; // its power spectrum is infinite: the dense NaN path must be kept
        foreach (var signal in new[] { SpeechTestAudio.Noise(TimeSpan.FromSeconds(1.3), 0.2f, seed: 9), ReferenceSignal(21000), overflowing })
        {
            AssertBitwiseEqual(NWavesFrames(signal), MfccFeatures.ComputeRawFrames(signal));
        }
    }

    [SkippableFact]
    public void Mfcc_frames_equal_nwaves_on_a_ravdess_clip()
    {
        var clip = SpeechTestAudio.RavdessClip();
        AssertBitwiseEqual(NWavesFrames(clip), MfccFeatures.ComputeRawFrames(clip));
    }

    [Fact]
    public void Concurrent_callers_get_the_same_frames_as_one_caller()
    {
        var signals = Enumerable.Range(0, 16).Select(i => SpeechTestAudio.Noise(TimeSpan.FromSeconds(0.5 + (i * 0.05)), 0.1f, seed: 100 + i)).ToArray();
        var expected = signals.Select(NWavesFrames).ToArray();
        var actual = new float[signals.Length][][];
        Parallel.For(0, signals.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var frames = MfccFeatures.ComputeRawFrames(signals[i % signals.Length]);
            if (i < signals.Length)
            {
                actual[i] = frames;
            }
            else
            {
                AssertBitwiseEqual(expected[i % signals.Length], frames);
            }
        });

        for (var i = 0; i < signals.Length; i++)
        {
            AssertBitwiseEqual(expected[i], actual[i]);
        }
    }

    /// <summary>The extractor as it was built for every call: NWaves with the product's options.</summary>
    private static float[][] NWavesFrames(float[] samples16k)
    {
        var samples = new float[Math.Max(samples16k.Length, 400)];
        samples16k.CopyTo(samples, 0);
        var extractor = new NwMfccExtractor(new MfccOptions
        {
            SamplingRate = 16000,
            FeatureCount = 40,
            FrameSize = 400,
            HopSize = 160,
            FilterBankSize = 64,
            LowFrequency = 20,
            HighFrequency = 7600,
            FftSize = 512,
            Window = WindowType.Hamming,
            PreEmphasis = 0.97,
        });
        return [.. extractor.ComputeFrom(samples)];
    }

    /// <summary>Two tones under a slow envelope plus LCG noise: deterministic on every runtime.</summary>
    private static float[] ReferenceSignal(int length)
    {
        var samples = new float[length];
        uint state = 12345;
        for (var i = 0; i < length; i++)
        {
            state = (state * 1664525) + 1013904223;
            var noise = ((state >> 8) / (float)(1 << 24)) - 0.5f;
            var t = i / 16000.0;
            var envelope = 0.5 + (0.5 * Math.Sin(2 * Math.PI * 1.5 * t));
            samples[i] = (float)((envelope * ((0.3 * Math.Sin(2 * Math.PI * 220 * t)) + (0.1 * Math.Sin(2 * Math.PI * 1375 * t)))) + (0.05 * noise));
        }

        return samples;
    }

    private static void AssertBitwiseEqual(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var t = 0; t < expected.Length; t++)
        {
            Assert.Equal(expected[t].Length, actual[t].Length);
            for (var c = 0; c < expected[t].Length; c++)
            {
                if (BitConverter.SingleToInt32Bits(expected[t][c]) != BitConverter.SingleToInt32Bits(actual[t][c])
                    && !(float.IsNaN(expected[t][c]) && float.IsNaN(actual[t][c])))
                {
                    Assert.Fail($"Frame {t}, coefficient {c}: expected {expected[t][c]:R}, got {actual[t][c]:R}.");
                }
            }
        }
    }
}
