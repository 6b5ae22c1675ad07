namespace Emotion.Orleans.Inference.Tests;

public sealed class SilenceTrimTests
{
    [Fact]
    public void Silence_around_a_sound_is_cut_to_the_margin()
    {
        var tone = SpeechTestAudio.Sine(220, TimeSpan.FromSeconds(0.5), 0.3f);
        var quiet = SpeechTestAudio.Noise(TimeSpan.FromSeconds(1), 0.0001f, seed: 1); // 67 dB under the tone
        float[] clip = SpeechTestAudio.Concat(quiet, tone, quiet);

        var kept = SilenceTrim.Apply(clip);

        // 0.5 s of tone, 0.1 s margin each side, and the frames that overlap the tone's edges
        // (up to one 10 ms hop before it and one 25 ms frame after it).
        Assert.InRange(kept.Length, PcmAudio.Samples(TimeSpan.FromSeconds(0.7)), PcmAudio.Samples(TimeSpan.FromSeconds(0.7 + 0.035)));
        Assert.True(kept.Span.IndexOf(tone[0]) >= 0);
    }

    [Fact]
    public void Audio_that_is_sound_throughout_is_kept_whole()
    {
        float[] tone = SpeechTestAudio.Sine(300, TimeSpan.FromSeconds(1), 0.3f);

        Assert.Equal(tone.Length, SilenceTrim.Apply(tone).Length);
    }

    [Fact]
    public void Input_shorter_than_a_frame_is_returned_as_is()
    {
        float[] tiny = [0.1f, -0.1f, 0.2f];

        Assert.Equal(tiny, SilenceTrim.Apply(tiny).ToArray());
    }
}
