namespace Emotion.Orleans.Inference.Tests;

public sealed class MfccFeaturesTests
{
    [Fact]
    public void Mfcc_matrix_is_40_by_300_finite_and_centres_short_audio_between_zero_frames()
    {
        // 1 s → 98 frames of 25 ms every 10 ms, centred: 101 zero frames on the left.
        var loudThenQuiet = SpeechTestAudio.Concat(
            SpeechTestAudio.Sine(440, TimeSpan.FromSeconds(0.5), 0.5f),
            SpeechTestAudio.Sine(440, TimeSpan.FromSeconds(0.5), 0.05f));
        var matrix = MfccFeatures.Compute(loudThenQuiet);

        Assert.Equal(40 * 300, matrix.Length);
        Assert.All(matrix, v => Assert.True(float.IsFinite(v)));
        var frames = MfccFeatures.ComputeFrames(loudThenQuiet);
        Assert.Equal(98, frames.Length);
        var offset = MfccFeatures.CentreOffset(frames.Length);
        Assert.Equal(-101, offset);
        for (var c = 0; c < 40; c++)
        {
            Assert.All(matrix.AsSpan(c * 300, 101).ToArray(), v => Assert.Equal(0f, v));
            Assert.All(matrix.AsSpan((c * 300) + 199, 101).ToArray(), v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void Coefficient_zero_is_higher_for_the_loud_half_than_for_the_quiet_half()
    {
        var frames = MfccFeatures.ComputeFrames(SpeechTestAudio.Concat(
            SpeechTestAudio.Sine(440, TimeSpan.FromSeconds(0.5), 0.5f),
            SpeechTestAudio.Sine(440, TimeSpan.FromSeconds(0.5), 0.05f)));

        // Normalised per utterance: the loud half sits near +1, the quiet half near -1.
        var loud = frames[5..40].Average(f => f[0]);
        var quiet = frames[55..90].Average(f => f[0]);
        Assert.InRange(loud, 0.8, 1.2);
        Assert.InRange(quiet, -1.2, -0.8);
    }

    [Fact]
    public void Each_coefficient_has_zero_mean_and_unit_variance_over_the_utterance()
    {
        var frames = MfccFeatures.ComputeFrames(SpeechTestAudio.Concat(
            SpeechTestAudio.Noise(TimeSpan.FromSeconds(0.4), 0.1f, seed: 1),
            SpeechTestAudio.Sine(300, TimeSpan.FromSeconds(0.4), 0.3f),
            SpeechTestAudio.Noise(TimeSpan.FromSeconds(0.4), 0.01f, seed: 2)));
        for (var c = 0; c < MfccFeatures.Coefficients; c++)
        {
            var mean = frames.Average(f => f[c]);
            var variance = frames.Average(f => (f[c] - mean) * (f[c] - mean));
            Assert.InRange(mean, -1e-4, 1e-4);
            Assert.InRange(variance, 0.999, 1.001);
        }
    }

    [Theory]
    [InlineData(MfccNormalization.Utterance)]
    [InlineData(MfccNormalization.Level)]
    public void Features_do_not_depend_on_the_recording_level(MfccNormalization normalization)
    {
        var signal = SpeechTestAudio.Concat(
            SpeechTestAudio.Noise(TimeSpan.FromSeconds(0.5), 0.1f, seed: 3),
            SpeechTestAudio.Sine(700, TimeSpan.FromSeconds(0.5), 0.3f));
        var quieter = signal.Select(s => s * 0.1f).ToArray();

        var a = MfccFeatures.Compute(signal, normalization);
        var b = MfccFeatures.Compute(quieter, normalization);
        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i], b[i], 0.01f);
        }
    }

    [Fact]
    public void Level_normalisation_keeps_the_spectral_shape_and_removes_only_the_mean_level()
    {
        var signal = SpeechTestAudio.Concat(
            SpeechTestAudio.Sine(440, TimeSpan.FromSeconds(0.5), 0.5f),
            SpeechTestAudio.Sine(440, TimeSpan.FromSeconds(0.5), 0.05f));
        var raw = MfccFeatures.ComputeRawFrames(signal);
        var level = MfccFeatures.ComputeFrames(signal, MfccNormalization.Level);

        var meanC0 = raw.Average(f => f[0]);
        Assert.Equal(0, level.Average(f => f[0]), 4);
        Assert.Equal((raw[10][0] - meanC0) * 0.1f, level[10][0], 4);
        Assert.Equal(raw[10][5] * 0.1f, level[10][5], 5);
        Assert.True(level[10][0] > level[80][0]); // loud half above quiet half
    }

    [Fact]
    public void Long_audio_keeps_its_centre_three_seconds()
    {
        var signal = SpeechTestAudio.Noise(TimeSpan.FromSeconds(5), 0.1f, seed: 4);
        var frames = MfccFeatures.ComputeFrames(signal);
        var matrix = MfccFeatures.Compute(signal);
        var offset = MfccFeatures.CentreOffset(frames.Length);

        Assert.Equal((frames.Length - 300) / 2, offset);
        Assert.Equal(frames[offset][7], matrix[(7 * 300) + 0]);
        Assert.Equal(frames[offset + 299][39], matrix[(39 * 300) + 299]);
    }

    [Fact]
    public void Audio_shorter_than_one_frame_gives_one_frame()
    {
        var frames = MfccFeatures.ComputeFrames(SpeechTestAudio.Noise(TimeSpan.FromMilliseconds(10), 0.1f, seed: 5));
        Assert.Single(frames);
        Assert.All(frames[0], v => Assert.Equal(0f, v)); // one frame: every coefficient equals its mean
    }
}
