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

    [SkippableFact]
    public void Streams_scored_together_get_the_probabilities_each_gets_alone()
    {
        var clip = SpeechTestAudio.RavdessClip();
        float[][] audio = [clip, SpeechTestAudio.Concat(new float[8000], clip), SpeechTestAudio.Noise(TimeSpan.FromSeconds(1), 0.01f, seed: 3), []];
        var windows = audio.Select(a => (IReadOnlyList<float[]>)[.. Enumerable.Range(0, a.Length / SileroVad.WindowSamples).Select(w => a.AsSpan(w * SileroVad.WindowSamples, SileroVad.WindowSamples).ToArray())]).ToList();
        var states = audio.Select(_ => SileroVad.CreateState()).ToList();

        // Two batched calls in a row: the states carry over from the first to the second.
        var firstHalf = windows.Select(w => (IReadOnlyList<float[]>)[.. w.Take(w.Count / 2)]).ToList();
        var secondHalf = windows.Select(w => (IReadOnlyList<float[]>)[.. w.Skip(w.Count / 2)]).ToList();
        var together = SpeechTestAudio.Vad.Probabilities(states, firstHalf).Zip(SpeechTestAudio.Vad.Probabilities(states, secondHalf), (a, b) => a.Concat(b).ToArray()).ToList();

        for (var s = 0; s < audio.Length; s++)
        {
            var alone = SpeechTestAudio.Vad.Probabilities(audio[s]);
            Assert.Equal(alone.Length, together[s].Length);
            Assert.All(alone.Zip(together[s]), p => Assert.Equal(p.First, p.Second, 1e-4f));
        }

        Assert.True(together[0].Max() > 0.9f);
    }

    [Fact]
    public void A_stream_given_twice_in_one_batch_is_refused()
    {
        var state = SileroVad.CreateState();
        IReadOnlyList<float[]> one = [new float[SileroVad.WindowSamples]];

        Assert.Throws<ArgumentException>(() => SpeechTestAudio.Vad.Probabilities([state, state], [one, one]));
        Assert.Throws<ArgumentException>(() => SpeechTestAudio.Vad.Probabilities([state], [[new float[100]]]));
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
