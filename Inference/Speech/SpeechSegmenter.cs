using System.Globalization;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Cuts one call's 16 kHz audio stream into speech segments with Silero VAD: every 512-sample
/// window is scored; speech starts at a window at or above the start threshold and ends after
/// <see cref="SpeechSegmenterOptions.MinSilence"/> of windows below the stop threshold (hysteresis),
/// padded by <see cref="SpeechSegmenterOptions.SpeechPadding"/> on both sides. Speech shorter than
/// <see cref="SpeechSegmenterOptions.MinSpeech"/> is dropped; speech longer than
/// <see cref="SpeechSegmenterOptions.MaxSegment"/> is emitted in pieces of that length
/// (<see cref="SpeechSegment.EndOfUtterance"/> false) and its last piece when it ends (true).
/// Segments do not depend on how the audio was chunked. One per stream; not thread-safe.
/// </summary>
public sealed class SpeechSegmenter
{
    private readonly SileroVad _vad;
    private readonly SileroVadState _state = SileroVad.CreateState();
    private readonly float[] _pending = new float[SileroVad.WindowSamples];
    private readonly float _startThreshold;
    private readonly float _stopThreshold;
    private readonly int _minSpeech;
    private readonly int _minSilence;
    private readonly int _padding;
    private readonly int _maxSegment;
    private readonly int _maxChunk;

    // Audio kept from absolute sample _bufferStart on: the open segment, or the padding before one.
    private float[] _buffer;
    private long _bufferStart;
    private int _bufferCount;
    private int _pendingCount;

    private bool _inSpeech;
    private long _segmentStart;
    private long _speechOnset;
    private long _silenceStart = -1;
    private long _lastEnd;

    /// <summary>Creates a segmenter for one stream over the shared VAD.</summary>
    /// <exception cref="ArgumentException">The options are inconsistent.</exception>
    public SpeechSegmenter(SileroVad vad, SpeechSegmenterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vad);
        options ??= new SpeechSegmenterOptions();
        options.Validate();
        _vad = vad;
        _startThreshold = options.StartThreshold;
        _stopThreshold = options.StopThreshold;
        _minSpeech = PcmAudio.Samples(options.MinSpeech);
        _minSilence = PcmAudio.Samples(options.MinSilence);
        _padding = PcmAudio.Samples(options.SpeechPadding);
        _maxSegment = PcmAudio.Samples(options.MaxSegment);
        _maxChunk = PcmAudio.Samples(options.MaxChunk);
        _buffer = new float[_maxSegment + (2 * SileroVad.WindowSamples) + _padding];
    }

    /// <summary>Samples received so far (16 kHz), including those not yet scored.</summary>
    public long SamplesReceived => _bufferStart + _bufferCount + _pendingCount;

    /// <summary>Feeds the next chunk of the stream; returns the segments it completed. Scores its windows here, one per model run.</summary>
    /// <exception cref="InvalidInputException">The chunk is empty, longer than the maximum chunk or holds NaN/∞ (nothing is consumed).</exception>
    public IReadOnlyList<SpeechSegment> Push(ReadOnlySpan<float> samples16k)
    {
        Validate(samples16k);
        var windows = Windows(samples16k);
        return Commit(samples16k, windows, _vad.Probabilities(_state, windows));
    }

    /// <summary>
    /// Feeds the next chunk of the stream with its windows scored by <paramref name="scorer"/> (which
    /// may batch them with other streams'); returns the segments it completed. One push at a time.
    /// </summary>
    /// <exception cref="InvalidInputException">The chunk is empty, longer than the maximum chunk or holds NaN/∞ (nothing is consumed).</exception>
    public async ValueTask<IReadOnlyList<SpeechSegment>> PushAsync(ReadOnlyMemory<float> samples16k, IVoiceActivityScorer scorer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        Validate(samples16k.Span);

        // Nothing of the segmenter changes until the scores are back, so a failed scoring consumes nothing.
        var windows = Windows(samples16k.Span);
        var probabilities = windows.Count == 0 ? [] : await scorer.ScoreAsync(_state, windows, cancellationToken);
        if (probabilities.Length != windows.Count)
        {
            throw new InvalidOperationException($"The VAD scored {probabilities.Length} of {windows.Count} windows.");
        }

        return Commit(samples16k.Span, windows, probabilities);
    }

    private void Validate(ReadOnlySpan<float> samples16k)
    {
        if (samples16k.IsEmpty)
        {
            throw new InvalidInputException(Modality.Speech, InputErrorKind.Empty, "The audio chunk holds no samples.");
        }

        if (samples16k.Length > _maxChunk)
        {
            throw new InvalidInputException(
                Modality.Speech,
                InputErrorKind.TooLarge,
                string.Create(CultureInfo.InvariantCulture, $"An audio chunk may hold at most {_maxChunk} samples (16 kHz), got {samples16k.Length}."));
        }

        PcmAudio.Validate(samples16k, TimeSpan.MaxValue);
    }

    // The whole windows that the samples held back from the last chunk and this chunk complete (copies).
    private List<float[]> Windows(ReadOnlySpan<float> samples16k)
    {
        var size = SileroVad.WindowSamples;
        var count = (_pendingCount + samples16k.Length) / size;
        var windows = new List<float[]>(count);
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var window = new float[size];
            var held = i == 0 ? _pendingCount : 0;
            _pending.AsSpan(0, held).CopyTo(window);
            samples16k.Slice(offset, size - held).CopyTo(window.AsSpan(held));
            offset += size - held;
            windows.Add(window);
        }

        return windows;
    }

    private List<SpeechSegment> Commit(ReadOnlySpan<float> samples16k, List<float[]> windows, float[] probabilities)
    {
        List<SpeechSegment>? segments = null;
        for (var i = 0; i < windows.Count; i++)
        {
            ProcessWindow(windows[i], probabilities[i], ref segments);
        }

        // What is left over waits for the next chunk.
        var used = (windows.Count * SileroVad.WindowSamples) - (windows.Count > 0 ? _pendingCount : 0);
        var rest = samples16k[(windows.Count > 0 ? used : 0)..];
        if (windows.Count > 0)
        {
            _pendingCount = 0;
        }

        rest.CopyTo(_pending.AsSpan(_pendingCount));
        _pendingCount += rest.Length;
        return segments ?? [];
    }

    /// <summary>
    /// Ends the stream: emits the open segment, if any, including samples not yet scored (a final
    /// segment has EndOfUtterance true), and starts afresh; time keeps counting from here.
    /// </summary>
    public IReadOnlyList<SpeechSegment> Flush()
    {
        List<SpeechSegment>? segments = null;
        var end = _bufferStart + _bufferCount + _pendingCount;
        if (_inSpeech)
        {
            Append(_pending.AsSpan(0, _pendingCount));
            var speechEnd = _silenceStart >= 0 ? _silenceStart : end;
            var segmentEnd = _silenceStart >= 0 ? Math.Min(end, _silenceStart + _padding) : end;
            CutAtMaxLength(ref segments, segmentEnd);
            if (speechEnd - _speechOnset >= _minSpeech && segmentEnd > _segmentStart)
            {
                Emit(ref segments, _segmentStart, segmentEnd, endOfUtterance: true);
            }
        }

        // Start afresh at the current stream position.
        _inSpeech = false;
        _pendingCount = 0;
        _bufferStart = end;
        _bufferCount = 0;
        _lastEnd = end;
        _silenceStart = -1;
        _state.Reset();
        return segments ?? (IReadOnlyList<SpeechSegment>)[];
    }

    private void ProcessWindow(float[] window, float probability, ref List<SpeechSegment>? segments)
    {
        var windowStart = _bufferStart + _bufferCount;
        Append(window);
        var windowEnd = windowStart + window.Length;

        if (!_inSpeech)
        {
            if (probability >= _startThreshold)
            {
                _inSpeech = true;
                _speechOnset = windowStart;
                _segmentStart = Math.Max(Math.Max(windowStart - _padding, _lastEnd), _bufferStart);
                _silenceStart = -1;
            }
            else
            {
                TrimBefore(Math.Max(windowEnd - _padding, _lastEnd));
            }

            return;
        }

        if (probability >= _startThreshold)
        {
            _silenceStart = -1;
        }
        else if (probability < _stopThreshold)
        {
            if (_silenceStart < 0)
            {
                _silenceStart = windowStart;
            }

            if (windowEnd - _silenceStart >= _minSilence)
            {
                var end = Math.Min(_silenceStart + _padding, windowEnd);
                CutAtMaxLength(ref segments, end);
                if (_silenceStart - _speechOnset >= _minSpeech && end > _segmentStart)
                {
                    Emit(ref segments, _segmentStart, end, endOfUtterance: true);
                }

                _inSpeech = false;
                _lastEnd = end;
                _silenceStart = -1;
                TrimBefore(Math.Max(windowEnd - _padding, _lastEnd));
                return;
            }
        }

        CutAtMaxLength(ref segments, windowEnd);
    }

    /// <summary>Emits full-length pieces of the open segment while it reaches the maximum before <paramref name="end"/>.</summary>
    private void CutAtMaxLength(ref List<SpeechSegment>? segments, long end)
    {
        while (end - _segmentStart >= _maxSegment)
        {
            Emit(ref segments, _segmentStart, _segmentStart + _maxSegment, endOfUtterance: false);
            _segmentStart += _maxSegment;
            _lastEnd = _segmentStart;
            TrimBefore(_segmentStart);
        }
    }

    private void Emit(ref List<SpeechSegment>? segments, long start, long end, bool endOfUtterance)
    {
        var samples = _buffer.AsSpan((int)(start - _bufferStart), (int)(end - start)).ToArray();
        (segments ??= []).Add(new SpeechSegment(samples, PcmAudio.Duration(start), PcmAudio.Duration(end), endOfUtterance));
    }

    private void Append(ReadOnlySpan<float> samples)
    {
        if (_bufferCount + samples.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _bufferCount + samples.Length));
        }

        samples.CopyTo(_buffer.AsSpan(_bufferCount));
        _bufferCount += samples.Length;
    }

    private void TrimBefore(long position)
    {
        var drop = (int)Math.Clamp(position - _bufferStart, 0, _bufferCount);
        if (drop == 0)
        {
            return;
        }

        Array.Copy(_buffer, drop, _buffer, 0, _bufferCount - drop);
        _bufferCount -= drop;
        _bufferStart += drop;
    }
}
