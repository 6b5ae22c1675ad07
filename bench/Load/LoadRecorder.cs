using Emotion.Orleans.Grains;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>What the calls of one step sent and got back; thread-safe.</summary>
public sealed class LoadRecorder
{
    private static readonly int ModalityCount = Enum.GetValues<InputModality>().Length;

    private readonly Lock _gate = new();
    private readonly LatencySeries[] _input = [.. Enumerable.Range(0, ModalityCount).Select(_ => new LatencySeries())];
    private readonly LatencySeries[] _eventToResult = [.. Enumerable.Range(0, ModalityCount).Select(_ => new LatencySeries())];
    private readonly LatencySeries _streamEventToResult = new();
    private LatencySeries _window = new();
    private readonly long[] _sent = new long[ModalityCount];
    private readonly long[] _dropped = new long[ModalityCount];
    private readonly long[] _refused = new long[ModalityCount];
    private readonly long[] _failed = new long[ModalityCount];
    private long _results;
    private long _measuredResults;
    private long _streamResults;
    private long _mixedUp;
    private long _faceResults;
    private string? _firstError;

    /// <summary>An input was answered.</summary>
    /// <param name="modality">Its modality.</param>
    /// <param name="measured">It came after the warm-up: its latencies count.</param>
    /// <param name="roundTrip">From the send to the answer.</param>
    /// <param name="eventToResult">From the moment the input existed (a live source would have sent it) to the answer.</param>
    /// <param name="results">The results the answer carried.</param>
    public void Answered(InputModality modality, bool measured, TimeSpan roundTrip, TimeSpan eventToResult, int results)
    {
        lock (_gate)
        {
            _sent[(int)modality]++;
            _results += results;
            if (!measured)
            {
                return;
            }

            _input[(int)modality].Add(roundTrip);
            for (var i = 0; i < results; i++)
            {
                _measuredResults++;
                _eventToResult[(int)modality].Add(eventToResult);
                _window.Add(eventToResult);
            }
        }
    }

    /// <summary>An answer carried a result of another call.</summary>
    public void MixedUp()
    {
        lock (_gate)
        {
            _mixedUp++;
        }
    }

    /// <summary>The sender was too far behind: the input was not sent.</summary>
    public void Dropped(InputModality modality)
    {
        lock (_gate)
        {
            _dropped[(int)modality]++;
        }
    }

    /// <summary>The call refused the input (a <see cref="CallException"/>).</summary>
    public void Refused(InputModality modality, Exception error)
    {
        lock (_gate)
        {
            _refused[(int)modality]++;
            _firstError ??= error.Message;
        }
    }

    /// <summary>The input failed otherwise (time-out, silo overloaded, connection).</summary>
    public void Failed(InputModality modality, Exception error)
    {
        lock (_gate)
        {
            _failed[(int)modality]++;
            _firstError ??= $"{error.GetType().Name}: {error.Message}";
        }
    }

    /// <summary>A result arrived on a call's result stream.</summary>
    /// <param name="correct">It belonged to the call whose stream delivered it.</param>
    /// <param name="eventToResult">From the moment the input that produced it existed to its arrival; null when unknown or in the warm-up.</param>
    /// <param name="faceFound">It fused a face.</param>
    public void Streamed(bool correct, TimeSpan? eventToResult, bool faceFound)
    {
        lock (_gate)
        {
            _streamResults++;
            if (!correct)
            {
                _mixedUp++;
            }

            if (faceFound)
            {
                _faceResults++;
            }

            if (eventToResult is { } latency)
            {
                _streamEventToResult.Add(latency);
            }
        }
    }

    /// <summary>
    /// The event-to-result latencies measured since the previous call (or the start), which it
    /// forgets, and the running totals, whose differences between two calls give a window's counts.
    /// </summary>
    public RecorderTotals TakeWindow()
    {
        lock (_gate)
        {
            var window = _window.Summarize();
            _window = new LatencySeries();
            return new RecorderTotals(window, _measuredResults, _dropped.Sum(), _refused.Sum() + _failed.Sum(), _sent[(int)InputModality.Face]);
        }
    }

    /// <summary>The figures so far.</summary>
    /// <param name="calls">Calls in the step.</param>
    /// <param name="measured">Wall time the figures cover (after the warm-up).</param>
    public StepFigures Figures(int calls, TimeSpan measured)
    {
        lock (_gate)
        {
            var all = new LatencySeries();
            foreach (var series in _eventToResult)
            {
                all.AddRange(series);
            }

            var modalities = Enum.GetValues<InputModality>().ToDictionary(
                m => m.ToString().ToLowerInvariant(),
                m => new ModalityFigures(_sent[(int)m], _dropped[(int)m], _refused[(int)m], _failed[(int)m], _input[(int)m].Summarize(), _eventToResult[(int)m].Summarize()));
            return new StepFigures(
                calls,
                measured.TotalSeconds,
                modalities,
                all.Summarize(),
                _streamEventToResult.Summarize(),
                _results,
                measured > TimeSpan.Zero ? _measuredResults / measured.TotalSeconds : 0,
                _streamResults,
                _mixedUp,
                _faceResults,
                _dropped.Sum(),
                _refused.Sum() + _failed.Sum(),
                _firstError);
        }
    }
}

/// <summary>A recorder's latencies of one window and its running totals at the window's end.</summary>
/// <param name="EventToResult">Event-to-result latencies measured in the window.</param>
/// <param name="MeasuredResults">Results measured so far (after the warm-up).</param>
/// <param name="Dropped">Inputs dropped so far.</param>
/// <param name="Refused">Inputs refused or failed so far.</param>
/// <param name="FramesAnswered">Frames answered so far.</param>
public sealed record RecorderTotals(LatencySummary EventToResult, long MeasuredResults, long Dropped, long Refused, long FramesAnswered);
