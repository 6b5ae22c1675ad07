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

    /// <summary>Feeds the next chunk of the stream; returns the segments it completed.</summary>
    /// <exception cref="InvalidInputException">The chunk is empty, longer than the maximum chunk or holds NaN/∞ (nothing is consumed).</exception>
    public IReadOnlyList<SpeechSegment> Push(ReadOnlySpan<float> samples16k)
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

        List<SpeechSegment>? segments = null;
        while (!samples16k.IsEmpty)
        {
            var take = Math.Min(samples16k.Length, _pending.Length - _pendingCount);
            samples16k[..take].CopyTo(_pending.AsSpan(_pendingCount));
            _pendingCount += take;
            samples16k = samples16k[take..];
            if (_pendingCount == _pending.Length)
            {
                _pendingCount = 0;
                ProcessWindow(ref segments);
            }
        }

        return segments ?? (IReadOnlyList<SpeechSegment>)[];
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

    private void ProcessWindow(ref List<SpeechSegment>? segments)
    {
        var window = _pending.AsSpan();
        var windowStart = _bufferStart + _bufferCount;
        Append(window);
        var windowEnd = windowStart + window.Length;
        var probability = _vad.Probability(_state, window);

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
