namespace Emotion.Orleans.Inference.Tests;

public sealed class SpeechSegmenterTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [SkippableFact]
    public void Segmenter_emits_one_utterance_when_speech_ends()
    {
        var clip = SpeechTestAudio.RavdessClip();
        var audio = SpeechTestAudio.Concat(new float[16000], clip, new float[16000]);

        var segments = Run(new SpeechSegmenter(SpeechTestAudio.Vad), audio, 320, flush: false);

        var segment = Assert.Single(segments);
        Assert.True(segment.EndOfUtterance);
        Assert.InRange(segment.Start, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(1.5));
        Assert.InRange(segment.End, segment.Start + TimeSpan.FromSeconds(0.5), PcmAudio.Duration(16000 + clip.Length) + TimeSpan.FromSeconds(0.2));
        Assert.Equal(PcmAudio.Samples(segment.End - segment.Start), segment.Samples.Length);
        Assert.Equal(audio.AsSpan(PcmAudio.Samples(segment.Start), segment.Samples.Length).ToArray(), segment.Samples);
    }

    [SkippableFact]
    public void Segmenter_cuts_long_speech_at_the_maximum_length_and_continues()
    {
        var clip = SpeechTestAudio.RavdessClip();
        var options = new SpeechSegmenterOptions { MaxSegment = TimeSpan.FromSeconds(1) };
        var audio = SpeechTestAudio.Concat(clip, new float[16000]);

        var segments = Run(new SpeechSegmenter(SpeechTestAudio.Vad, options), audio, 16000, flush: false);

        Assert.True(segments.Count >= 2, $"{segments.Count} segments");
        Assert.All(segments[..^1], s =>
        {
            Assert.False(s.EndOfUtterance);
            Assert.Equal(16000, s.Samples.Length);
        });
        Assert.True(segments[^1].EndOfUtterance);
        for (var i = 1; i < segments.Count; i++)
        {
            Assert.Equal(segments[i - 1].End, segments[i].Start); // contiguous pieces of one utterance
        }
    }

    [SkippableFact]
    public void Segments_do_not_depend_on_the_chunk_size()
    {
        var clip = SpeechTestAudio.RavdessClip();
        var other = SpeechTestAudio.RavdessClip("Actor_02/03-01-03-01-02-01-02.wav");
        var audio = SpeechTestAudio.Concat(new float[8000], clip, new float[16000], other, new float[4000], clip);
        var options = new SpeechSegmenterOptions { MaxSegment = TimeSpan.FromSeconds(2) };

        var small = Run(new SpeechSegmenter(SpeechTestAudio.Vad, options), audio, 320, flush: true);
        var large = Run(new SpeechSegmenter(SpeechTestAudio.Vad, options), audio, 16000, flush: true);
        var odd = Run(new SpeechSegmenter(SpeechTestAudio.Vad, options), audio, 777, flush: true);

        Assert.True(small.Count >= 3, $"{small.Count} segments");
        Assert.Equal(small.Count, large.Count);
        Assert.Equal(small.Count, odd.Count);
        for (var i = 0; i < small.Count; i++)
        {
            Assert.Equal((small[i].Start, small[i].End, small[i].EndOfUtterance), (large[i].Start, large[i].End, large[i].EndOfUtterance));
            Assert.Equal(small[i].Samples, large[i].Samples);
            Assert.Equal(small[i].Samples, odd[i].Samples);
        }
    }

    [SkippableFact]
    public async Task Segments_are_the_same_when_calls_windows_are_scored_together()
    {
        var clip = SpeechTestAudio.RavdessClip();
        var other = SpeechTestAudio.RavdessClip("Actor_02/03-01-03-01-02-01-02.wav");
        float[][] calls = [SpeechTestAudio.Concat(new float[8000], clip, new float[16000]), SpeechTestAudio.Concat(other, new float[16000], clip, new float[16000])];
        var alone = calls.Select(a => Run(new SpeechSegmenter(SpeechTestAudio.Vad), a, 1600, flush: true)).ToList();

        // Chunk k of every call, its windows scored in one batched run across the calls.
        var segmenters = calls.Select(_ => new SpeechSegmenter(SpeechTestAudio.Vad)).ToArray();
        var together = calls.Select(_ => new List<SpeechSegment>()).ToArray();
        var scorer = new LockstepVoiceActivityScorer(SpeechTestAudio.Vad);
        var largestBatch = 0;
        for (var offset = 0; offset < calls.Max(c => c.Length); offset += 1600)
        {
            var pushes = calls.Select((c, i) => offset < c.Length ? segmenters[i].PushAsync(c.AsMemory(offset, Math.Min(1600, c.Length - offset)), scorer).AsTask() : Task.FromResult<IReadOnlyList<SpeechSegment>>([])).ToList();
            largestBatch = Math.Max(largestBatch, scorer.Pending);
            scorer.Run();
            for (var i = 0; i < calls.Length; i++)
            {
                together[i].AddRange(await pushes[i].WaitAsync(TimeSpan.FromSeconds(10)));
            }
        }

        for (var i = 0; i < calls.Length; i++)
        {
            together[i].AddRange(segmenters[i].Flush());
            Assert.NotEmpty(alone[i]);
            Assert.Equal(alone[i].Select(u => (u.Start, u.End, u.EndOfUtterance)), together[i].Select(u => (u.Start, u.End, u.EndOfUtterance)));
        }

        Assert.Equal(2, largestBatch);
    }

    [SkippableFact]
    public async Task A_chunk_whose_scoring_fails_is_not_consumed()
    {
        var audio = SpeechTestAudio.Concat(new float[8000], SpeechTestAudio.RavdessClip(), new float[16000]);
        var expected = Run(new SpeechSegmenter(SpeechTestAudio.Vad), audio, 1600, flush: true);
        var segmenter = new SpeechSegmenter(SpeechTestAudio.Vad);
        List<SpeechSegment> segments = [];
        for (var offset = 0; offset < audio.Length; offset += 1600)
        {
            var chunk = audio.AsMemory(offset, Math.Min(1600, audio.Length - offset));
            if (offset == 16000)
            {
                var received = segmenter.SamplesReceived;
                await Assert.ThrowsAsync<InvalidOperationException>(async () => await segmenter.PushAsync(chunk, new FailingScorer()));
                Assert.Equal(received, segmenter.SamplesReceived);
            }

            segments.AddRange(await segmenter.PushAsync(chunk, SpeechTestAudio.Vad));
        }

        segments.AddRange(segmenter.Flush());
        Assert.Equal(expected.Select(u => (u.Start, u.End)), segments.Select(u => (u.Start, u.End)));
    }

    [SkippableFact]
    public void Flush_emits_speech_that_is_still_open()
    {
        var clip = SpeechTestAudio.RavdessClip();
        var segmenter = new SpeechSegmenter(SpeechTestAudio.Vad);
        var cut = clip.Length * 2 / 3; // stop mid-sentence

        var before = Run(segmenter, clip[..cut], 320, flush: false);
        var flushed = segmenter.Flush();

        Assert.Empty(before);
        var segment = Assert.Single(flushed);
        Assert.True(segment.EndOfUtterance);
        Assert.Equal(PcmAudio.Duration(cut), segment.End);
        Assert.Equal(cut, segmenter.SamplesReceived);
    }

    [Fact]
    public void Silence_and_low_noise_give_no_segments()
    {
        var audio = SpeechTestAudio.Concat(new float[16000 * 2], SpeechTestAudio.Noise(TimeSpan.FromSeconds(2), 0.003f, seed: 12));
        Assert.Empty(Run(new SpeechSegmenter(SpeechTestAudio.Vad), audio, 16000, flush: true));
    }

    [Fact]
    public void Bad_chunks_are_refused_without_being_consumed()
    {
        var segmenter = new SpeechSegmenter(SpeechTestAudio.Vad);
        segmenter.Push(new float[320]);
        var nan = new float[320];
        nan[3] = float.NaN;

        Assert.Equal(InputErrorKind.Empty, Assert.Throws<InvalidInputException>(() => segmenter.Push([])).Kind);
        Assert.Equal(InputErrorKind.NotFinite, Assert.Throws<InvalidInputException>(() => segmenter.Push(nan)).Kind);
        Assert.Equal(InputErrorKind.TooLarge, Assert.Throws<InvalidInputException>(() => segmenter.Push(new float[16001])).Kind);
        Assert.Equal(320, segmenter.SamplesReceived);
    }

    [Fact]
    public void Inconsistent_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new SpeechSegmenter(SpeechTestAudio.Vad, new SpeechSegmenterOptions { StartThreshold = 0.3f, StopThreshold = 0.5f }));
        Assert.Throws<ArgumentException>(() => new SpeechSegmenter(SpeechTestAudio.Vad, new SpeechSegmenterOptions { MaxSegment = TimeSpan.FromMilliseconds(100) }));
        Assert.Throws<ArgumentException>(() => new SpeechSegmenter(SpeechTestAudio.Vad, new SpeechSegmenterOptions { SpeechPadding = Second }));
    }

    private static List<SpeechSegment> Run(SpeechSegmenter segmenter, float[] audio, int chunk, bool flush)
    {
        var segments = new List<SpeechSegment>();
        for (var start = 0; start < audio.Length; start += chunk)
        {
            segments.AddRange(segmenter.Push(audio.AsSpan(start, Math.Min(chunk, audio.Length - start))));
        }

        if (flush)
        {
            segments.AddRange(segmenter.Flush());
        }

        return segments;
    }

    private sealed class FailingScorer : IVoiceActivityScorer
    {
        public ValueTask<float[]> ScoreAsync(SileroVadState state, IReadOnlyList<float[]> windows, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<float[]>(new InvalidOperationException("The VAD run failed."));
    }
}
