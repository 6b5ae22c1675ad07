namespace Emotion.Orleans.Inference.Tests;

public sealed class ProsodyStatisticsTests
{
    private const int LogF0Mean = 0;
    private const int LevelMean = 5;
    private const int PitchSlope = 16;
    private const int VoicedShare = 18;

    [Theory]
    [InlineData(110)]
    [InlineData(200)]
    [InlineData(320)]
    public void A_voiced_tone_gives_its_pitch_and_counts_as_voiced(double f0)
    {
        var p = ProsodyStatistics.Compute(Voice(_ => f0, TimeSpan.FromSeconds(1)));

        Assert.Equal(ProsodyStatistics.Dimension, p.Length);
        Assert.InRange(Math.Exp(p[LogF0Mean]), f0 * 0.97, f0 * 1.03);
        Assert.True(p[VoicedShare] > 0.9f, $"voiced share {p[VoicedShare]}");
    }

    [Fact]
    public void A_rising_voice_has_a_positive_pitch_slope_and_a_falling_one_a_negative_slope()
    {
        var rising = ProsodyStatistics.Compute(Voice(t => 150 + (150 * t), TimeSpan.FromSeconds(1)));
        var falling = ProsodyStatistics.Compute(Voice(t => 300 - (150 * t), TimeSpan.FromSeconds(1)));

        // log(300/150) over one second ≈ 0.69 per second.
        Assert.InRange(rising[PitchSlope], 0.5f, 0.9f);
        Assert.InRange(falling[PitchSlope], -0.9f, -0.5f);
    }

    [Fact]
    public void An_utterance_gets_the_same_summary_after_a_longer_one_left_its_data_in_the_pooled_buffers()
    {
        var shortVoice = Voice(_ => 180, TimeSpan.FromSeconds(0.03)); // shorter than one frame: zero-padded
        var before = ProsodyStatistics.Compute(shortVoice);

        ProsodyStatistics.Compute(Voice(t => 120 + (100 * t), TimeSpan.FromSeconds(4), amplitude: 0.6f));

        Assert.Equal(before, ProsodyStatistics.Compute(shortVoice));
    }

    [Fact]
    public void Noise_is_mostly_unvoiced()
    {
        var p = ProsodyStatistics.Compute(SpeechTestAudio.Noise(TimeSpan.FromSeconds(1), 0.1f, seed: 3));

        Assert.True(p[VoicedShare] < 0.2f, $"voiced share {p[VoicedShare]}");
        Assert.All(p, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Ten_times_the_amplitude_is_twenty_decibels_louder()
    {
        var quiet = Voice(_ => 180, TimeSpan.FromSeconds(0.5), amplitude: 0.03f);
        var loud = quiet.Select(v => v * 10).ToArray();

        Assert.Equal(20f, ProsodyStatistics.Compute(loud)[LevelMean] - ProsodyStatistics.Compute(quiet)[LevelMean], 1);
    }

    [Fact]
    public void Silence_and_input_shorter_than_a_frame_give_finite_values_and_no_pitch()
    {
        var silence = ProsodyStatistics.Compute(new float[16_000]);
        var tiny = ProsodyStatistics.Compute(Voice(_ => 200, TimeSpan.FromMilliseconds(10)));

        Assert.Equal(0f, silence[VoicedShare]);
        Assert.Equal(0f, silence[LogF0Mean]);
        Assert.All(silence, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(ProsodyStatistics.Dimension, tiny.Length);
        Assert.All(tiny, v => Assert.True(float.IsFinite(v)));
    }

    // A vowel-like tone: five harmonics of a fundamental that may move with time (seconds → Hz).
    private static float[] Voice(Func<double, double> f0, TimeSpan duration, float amplitude = 0.2f)
    {
        var samples = new float[PcmAudio.Samples(duration)];
        var phase = 0.0;
        for (var i = 0; i < samples.Length; i++)
        {
            phase += 2 * Math.PI * f0(i / (double)PcmAudio.SampleRate) / PcmAudio.SampleRate;
            var v = 0.0;
            for (var h = 1; h <= 5; h++)
            {
                v += Math.Sin(h * phase) / h;
            }

            samples[i] = amplitude * (float)v;
        }

        return samples;
    }
}
