namespace Emotion.Orleans.Inference.Tests;

public sealed class SileroVadTests
{
    [SkippableFact]
    public void Vad_finds_speech_in_a_ravdess_recording()
    {
        var clip = SpeechTestAudio.RavdessClip();
        var probabilities = SpeechTestAudio.Vad.Probabilities(clip);

        Assert.True(probabilities.Max() > 0.9f, $"max speech probability {probabilities.Max()}");
        Assert.True(probabilities.Count(p => p > 0.5f) * SileroVad.WindowSamples > 16000 / 2, "less than 0.5 s of speech found");
    }

    [Fact]
    public void Vad_finds_no_speech_in_silence_or_low_noise()
    {
        var silence = new float[16000 * 2];
        var noise = SpeechTestAudio.Noise(TimeSpan.FromSeconds(2), 0.003f, seed: 11);

        Assert.True(SpeechTestAudio.Vad.Probabilities(silence).Max() < 0.1f);
        Assert.True(SpeechTestAudio.Vad.Probabilities(noise).Max() < 0.3f);
    }

    [Fact]
    public void Vad_records_the_upstream_model_hash()
    {
        Assert.Equal("2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f", SpeechTestAudio.Vad.UpstreamSha256);
    }

    [Fact]
    public void Vad_refuses_a_window_of_the_wrong_length()
    {
        Assert.Throws<ArgumentException>(() => SpeechTestAudio.Vad.Probability(SileroVad.CreateState(), new float[400]));
    }

    [Fact]
    public void Loading_a_missing_vad_model_is_a_bundle_error()
    {
        Assert.Throws<ModelBundleException>(() => SileroVad.Load(Path.Combine(Path.GetTempPath(), "no-such-vad.onnx")));
    }
}
