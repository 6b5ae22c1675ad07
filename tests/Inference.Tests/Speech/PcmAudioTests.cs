namespace Emotion.Orleans.Inference.Tests;

public sealed class PcmAudioTests
{
    [Fact]
    public void Pcm16_bytes_are_read_little_endian_and_scaled_to_minus_one_to_one()
    {
        byte[] bytes = [0x00, 0x80, 0xFF, 0x7F, 0x00, 0x40, 0x00, 0x00];
        var samples = PcmAudio.FromPcm16(bytes, 16000);
        Assert.Equal([-1f, 32767f / 32768f, 0.5f, 0f], samples);
    }

    [Fact]
    public void Pcm16_shorts_are_scaled_like_the_bytes()
    {
        short[] pcm = [short.MinValue, short.MaxValue, 16384, 0];
        Assert.Equal([-1f, 32767f / 32768f, 0.5f, 0f], PcmAudio.FromPcm16(pcm, 16000));
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(22050)]
    [InlineData(24000)]
    [InlineData(32000)]
    [InlineData(44100)]
    [InlineData(48000)]
    public void Supported_rates_are_resampled_to_16_kHz_keeping_the_pitch(int rate)
    {
        var sine = SpeechTestAudio.Sine(440, TimeSpan.FromSeconds(1), 0.5f, rate);
        var resampled = PcmAudio.FromFloat(sine, rate);

        Assert.InRange(resampled.Length, 15900, 16100);
        // A 440 Hz sine crosses zero upwards 440 times a second, whatever the sample rate.
        var upCrossings = 0;
        for (var i = 1000; i < 15000; i++)
        {
            if (resampled[i - 1] < 0 && resampled[i] >= 0)
            {
                upCrossings++;
            }
        }

        Assert.InRange(upCrossings, 383, 387); // 14000 samples = 0.875 s → 385 periods
    }

    [Fact]
    public void Eight_kHz_pcm_bytes_are_resampled()
    {
        var bytes = new byte[8000 * 2];
        var samples = PcmAudio.FromPcm16(bytes, 8000);
        Assert.InRange(samples.Length, 15900, 16100);
    }

    [Fact]
    public void Sixteen_kHz_is_kept_sample_for_sample()
    {
        float[] samples = [0.1f, -0.2f, 0.3f];
        Assert.Equal(samples, PcmAudio.FromFloat(samples, 16000));
    }

    [Theory]
    [InlineData(11025)]
    [InlineData(0)]
    [InlineData(-16000)]
    [InlineData(96000)]
    public void Other_sample_rates_are_refused(int rate)
    {
        AssertRefused(InputErrorKind.UnsupportedSampleRate, () => PcmAudio.FromPcm16(new byte[100], rate));
        AssertRefused(InputErrorKind.UnsupportedSampleRate, () => PcmAudio.FromPcm16(new short[50], rate));
        AssertRefused(InputErrorKind.UnsupportedSampleRate, () => PcmAudio.FromFloat(new float[50], rate));
    }

    [Fact]
    public void Empty_audio_is_refused_by_every_entry_point()
    {
        AssertRefused(InputErrorKind.Empty, () => PcmAudio.FromPcm16(ReadOnlySpan<byte>.Empty, 16000));
        AssertRefused(InputErrorKind.Empty, () => PcmAudio.FromPcm16(ReadOnlySpan<short>.Empty, 16000));
        AssertRefused(InputErrorKind.Empty, () => PcmAudio.FromFloat([], 48000));
        AssertRefused(InputErrorKind.Empty, () => PcmAudio.Validate([]));
    }

    [Fact]
    public void An_odd_number_of_pcm_bytes_is_refused()
    {
        AssertRefused(InputErrorKind.WrongShape, () => PcmAudio.FromPcm16(new byte[3], 16000));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_samples_are_refused(float bad)
    {
        var samples = new float[1000];
        samples[500] = bad;
        AssertRefused(InputErrorKind.NotFinite, () => PcmAudio.FromFloat(samples, 16000));
        AssertRefused(InputErrorKind.NotFinite, () => PcmAudio.FromFloat(samples, 8000));
        AssertRefused(InputErrorKind.NotFinite, () => PcmAudio.Validate(samples));
    }

    [Fact]
    public void Audio_longer_than_the_limit_is_refused_before_resampling()
    {
        AssertRefused(InputErrorKind.TooLarge, () => PcmAudio.FromPcm16(new byte[48000 * 2 * 31], 48000));
        AssertRefused(InputErrorKind.TooLarge, () => PcmAudio.FromFloat(new float[16000 * 3], 16000, TimeSpan.FromSeconds(2)));
        AssertRefused(InputErrorKind.TooLarge, () => PcmAudio.Validate(new float[(16000 * 30) + 1]));
        PcmAudio.Validate(new float[16000 * 30]);
    }

    private static void AssertRefused(InputErrorKind kind, Action action)
    {
        var error = Assert.Throws<InvalidInputException>(action);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(Modality.Speech, error.Modality);
    }
}
