using System.Diagnostics;
using Emotion.Orleans.Client;
using Emotion.Orleans.Grains;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// One synthetic call at the standard profile: continuous audio in chunks, frames at a fixed rate
/// and a transcript segment every few seconds, each modality from its own sender. The audio and
/// transcript senders wait for the call's answer before the next input (as a media gateway with one
/// outstanding request per ordered stream would) and drop an input they reach too late; the frame
/// sender sends each frame when the camera gives it, as a video gateway does, and leaves it to the
/// call's admission control to replace a waiting frame by a newer one (it drops a frame only when
/// <see cref="MaxFramesInFlight"/> are already unanswered).
/// </summary>
internal sealed class SyntheticCall
{
    /// <summary>Unanswered frames of one call beyond which the sender drops the next (admission control keeps at most two waiting).</summary>
    public const int MaxFramesInFlight = 4;

    private static readonly TimeSpan StreamCatchUp = TimeSpan.FromSeconds(2);

    private readonly EmotionCallClient _calls;
    private readonly SyntheticMedia _media;
    private readonly LoadOptions _options;
    private readonly LoadRecorder _recorder;
    private readonly Random _random;
    private readonly TimeSpan _offset;
    private readonly TimeSpan _length;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, TimeSpan> _answered = [];
    private readonly Dictionary<long, (TimeSpan Arrived, bool Face)> _streamed = [];
    private readonly Stopwatch _clock = new();
    private long _audioSamples;
    private long _frames;
    private long _segments;

    /// <param name="calls">The client.</param>
    /// <param name="media">The media.</param>
    /// <param name="options">Profile and limits.</param>
    /// <param name="recorder">Where the figures go.</param>
    /// <param name="callId">The call id (unique per run).</param>
    /// <param name="seed">Varies where in the media the call starts.</param>
    /// <param name="offset">When the call starts within its step.</param>
    /// <param name="length">How long it lasts.</param>
    public SyntheticCall(EmotionCallClient calls, SyntheticMedia media, LoadOptions options, LoadRecorder recorder, string callId, int seed, TimeSpan offset, TimeSpan length)
    {
        _calls = calls;
        _media = media;
        _options = options;
        _recorder = recorder;
        CallId = callId;
        _random = new Random(seed);
        _offset = offset;
        _length = length;
    }

    /// <summary>The call id.</summary>
    public string CallId { get; }

    /// <summary>Media sent so far.</summary>
    public MediaAmount Sent => new(Interlocked.Read(ref _audioSamples) / (double)_media.SampleRate, Interlocked.Read(ref _frames), Interlocked.Read(ref _segments), _length.TotalSeconds);

    /// <summary>Runs the call to its end (or until <paramref name="stop"/>), then ends it.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        await using var subscription = await _calls.SubscribeAsync(CallId, OnStreamed);
        await _calls.StartCallAsync(CallId);
        _clock.Start();
        var audioStart = _random.NextInt64(_media.Audio.Count);
        var frameStart = _random.Next(_media.Frames.Count);
        var lineStart = _random.Next(_media.Lines.Count);
        var framePhase = TimeSpan.FromSeconds(_random.NextDouble() / Math.Max(_options.FramesPerSecond, 1));
        var textPhase = TimeSpan.FromSeconds(_random.NextDouble() * _options.TextInterval.TotalSeconds);
        var jitter = new Random(_random.Next());
        await Task.WhenAll(
            SendAudioAsync(audioStart, stop),
            _options.FramesPerSecond > 0 ? SendFramesAsync(frameStart, framePhase, stop) : Task.CompletedTask,
            SendTextAsync(lineStart, textPhase, jitter, stop));
        try
        {
            await _calls.EndCallAsync(CallId).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
        catch (Exception e) when (e is CallException or TimeoutException)
        {
            // The call is over for the generator either way; its results were counted as they came.
        }

        await WaitForStreamAsync();
        Settle();
    }

    private async Task SendAudioAsync(long startSample, CancellationToken stop)
    {
        var chunkSamples = (int)(_media.SampleRate * _options.AudioChunk.TotalSeconds);
        for (long k = 0; ; k++)
        {
            var start = TimeSpan.FromSeconds(k * chunkSamples / (double)_media.SampleRate);
            var due = start + _options.AudioChunk;
            if (due > _length)
            {
                return;
            }

            if (!await WaitUntilAsync(due, InputModality.Speech, stop))
            {
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            var chunk = new AudioChunk(CallId, _media.AudioChunk(startSample + (k * chunkSamples), chunkSamples), _media.SampleRate, start);
            await SendAsync(InputModality.Speech, due, async () =>
            {
                var results = await _calls.SendAudioAsync(chunk);
                Interlocked.Add(ref _audioSamples, chunkSamples);
                return results;
            });
        }
    }

    private async Task SendFramesAsync(int first, TimeSpan phase, CancellationToken stop)
    {
        List<Task> inFlight = [];
        for (long k = 0; ; k++)
        {
            var due = phase + TimeSpan.FromSeconds(k / _options.FramesPerSecond);
            if (due > _length || !await WaitUntilAsync(due, InputModality.Face, stop))
            {
                if (due > _length || stop.IsCancellationRequested)
                {
                    break;
                }

                continue;
            }

            inFlight.RemoveAll(t => t.IsCompleted);
            if (inFlight.Count >= MaxFramesInFlight)
            {
                _recorder.Dropped(InputModality.Face);
                continue;
            }

            var frame = new VideoFrame(CallId, _media.Frames[(int)((first + k) % _media.Frames.Count)], due);
            inFlight.Add(SendAsync(InputModality.Face, due, async () =>
            {
                var result = await _calls.SendFrameAsync(frame);
                Interlocked.Increment(ref _frames);
                return result is null ? [] : [result];
            }));
        }

        // SendAsync records every outcome and throws for none.
        await Task.WhenAll(inFlight);
    }

    private async Task SendTextAsync(int first, TimeSpan phase, Random jitter, CancellationToken stop)
    {
        // A segment is sent when it has been spoken; it covers most of the time since the previous one.
        var spoken = _options.TextInterval * 0.8;
        var due = phase + spoken;
        for (var k = 0; due <= _length; k++, due += _options.TextInterval * (0.8 + (0.4 * jitter.NextDouble())))
        {
            if (!await WaitUntilAsync(due, InputModality.Text, stop))
            {
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            var (speaker, text) = _media.Lines[(first + k) % _media.Lines.Count];
            var segment = new TranscriptSegment(CallId, speaker, text, due - spoken, due);
            await SendAsync(InputModality.Text, due, async () =>
            {
                var result = await _calls.SendTextAsync(segment);
                Interlocked.Increment(ref _segments);
                return result is null ? [] : [result];
            });
        }
    }

    /// <summary>Waits until the input exists; false when it is already too late to send (dropped) or the step stopped.</summary>
    private async Task<bool> WaitUntilAsync(TimeSpan due, InputModality modality, CancellationToken stop)
    {
        if (stop.IsCancellationRequested)
        {
            return false;
        }

        var wait = due - _clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(wait, stop);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
        else if (-wait > _options.MaxLag)
        {
            _recorder.Dropped(modality);
            return false;
        }

        return true;
    }

    private async Task SendAsync(InputModality modality, TimeSpan due, Func<Task<IReadOnlyList<FusedResult>>> send)
    {
        var sentAt = _clock.Elapsed;
        try
        {
            var results = await send();
            var answeredAt = _clock.Elapsed;
            lock (_gate)
            {
                foreach (var result in results)
                {
                    _answered[result.Sequence] = due;
                }
            }

            foreach (var result in results.Where(r => r.CallId != CallId))
            {
                _recorder.MixedUp();
            }

            _recorder.Answered(modality, Measured(due), answeredAt - sentAt, answeredAt - due, results.Count);
        }
        catch (CallException e)
        {
            _recorder.Refused(modality, e);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException)
        {
            _recorder.Failed(modality, e);
        }
    }

    private bool Measured(TimeSpan due) => _offset + due >= _options.WarmUp;

    private Task OnStreamed(FusedResult result)
    {
        var arrived = _clock.Elapsed;
        if (result.CallId != CallId)
        {
            _recorder.Streamed(correct: false, null, faceFound: false);
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            _streamed[result.Sequence] = (arrived, result.PresentModalities.Contains(InputModality.Face));
        }

        return Task.CompletedTask;
    }

    private async Task WaitForStreamAsync()
    {
        var deadline = _clock.Elapsed + StreamCatchUp;
        while (_clock.Elapsed < deadline)
        {
            lock (_gate)
            {
                if (_answered.Keys.All(_streamed.ContainsKey))
                {
                    return;
                }
            }

            await Task.Delay(20);
        }
    }

    private void Settle()
    {
        lock (_gate)
        {
            foreach (var (sequence, (arrived, face)) in _streamed)
            {
                TimeSpan? latency = _answered.TryGetValue(sequence, out var due) && Measured(due) ? arrived - due : null;
                _recorder.Streamed(correct: true, latency, face);
            }

            // Counted: the step keeps its calls to the end, and a soak's memory must not grow with them.
            _answered.Clear();
            _answered.TrimExcess();
            _streamed.Clear();
            _streamed.TrimExcess();
        }
    }
}
