using System.Buffers;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Silero VAD v5 (ONNX): the probability that a 32 ms window (512 samples at 16 kHz) holds speech.
/// As in the reference implementation, each window is fed with the last 64 samples of the previous
/// window in front of it (576 samples); the recurrent state and that context live in a per-stream
/// <see cref="SileroVadState"/>. One shared session, thread-safe; each state belongs to one stream.
/// </summary>
public sealed class SileroVad : IVoiceActivityScorer, IDisposable
{
    /// <summary>Samples per window at 16 kHz.</summary>
    public const int WindowSamples = 512;

    /// <summary>Samples of the previous window fed in front of each window.</summary>
    public const int ContextSamples = 64;

    /// <summary>Length of the recurrent state [2, 1, 128].</summary>
    public const int StateLength = 2 * 128;

    private static readonly long[] InputShape = [1, ContextSamples + WindowSamples];
    private static readonly long[] StateShape = [2, 1, 128];
    private static readonly string[] InputNames = ["input", "state", "sr"];
    private static readonly string[] OutputNames = ["output", "stateN"];

    private static readonly long[] ProbabilityShape = [1, 1];

    private readonly InferenceSession _session;
    private readonly bool _ownsSession;

    // Made once: the model runs every 32 ms per call, and per-window allocations (options, the rate
    // tensor, output tensors) were a visible share of its cost.
    private readonly RunOptions _runOptions;
    private readonly OrtValue _rate;

    /// <summary>Wraps a shared session over the Silero VAD v5 model.</summary>
    /// <param name="session">The session; its signature is checked.</param>
    /// <param name="upstreamSha256">SHA-256 (hex) of the model file, as recorded in bundles.</param>
    /// <param name="ownsSession">Dispose the session with this object.</param>
    /// <exception cref="ModelBundleException">The model does not have Silero v5's signature.</exception>
    public SileroVad(InferenceSession session, string upstreamSha256, bool ownsSession = false)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrEmpty(upstreamSha256);
        if (!InputNames.All(session.InputMetadata.ContainsKey) || !OutputNames.All(session.OutputMetadata.ContainsKey))
        {
            throw new ModelBundleException(
                $"The VAD model must take [{string.Join(", ", InputNames)}] and give [{string.Join(", ", OutputNames)}]; it takes [{string.Join(", ", session.InputMetadata.Keys)}].");
        }

        _session = session;
        _ownsSession = ownsSession;
        UpstreamSha256 = upstreamSha256;
        _runOptions = new RunOptions();
        _rate = OrtValue.CreateTensorValueFromMemory(new long[] { PcmAudio.SampleRate }, []);
    }

    /// <summary>SHA-256 (lower-case hex) of the VAD model file.</summary>
    public string UpstreamSha256 { get; }

    /// <summary>Loads the model (default: <see cref="ModelFiles.SileroVad"/>) with its own session.</summary>
    /// <exception cref="ModelBundleException">The file is missing or is not Silero VAD v5.</exception>
    public static SileroVad Load(string? path = null, OnnxSessionFactory? factory = null)
    {
        path ??= ModelFiles.SileroVad;
        if (!File.Exists(path))
        {
            throw new ModelBundleException($"Silero VAD model not found at '{path}'.");
        }

        var bytes = File.ReadAllBytes(path);
        InferenceSession session;
        try
        {
            session = (factory ?? new OnnxSessionFactory()).Create(bytes);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelBundleException($"Silero VAD model at '{path}' cannot be loaded: {ex.Message}", ex);
        }

        try
        {
            return new SileroVad(session, Convert.ToHexStringLower(SHA256.HashData(bytes)), ownsSession: true);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>A fresh state for one audio stream.</summary>
    public static SileroVadState CreateState() => new();

    /// <summary>
    /// Speech probability of the next window of a stream, advancing <paramref name="state"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The window is not <see cref="WindowSamples"/> long.</exception>
    public float Probability(SileroVadState state, ReadOnlySpan<float> window)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (window.Length != WindowSamples)
        {
            throw new ArgumentException($"A VAD window is {WindowSamples} samples, got {window.Length}.", nameof(window));
        }

        var input = state.Input;
        state.Context.CopyTo(input, 0);
        window.CopyTo(input.AsSpan(ContextSamples));

        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, InputShape);
        using var stateValue = OrtValue.CreateTensorValueFromMemory(state.Recurrent, StateShape);
        using var probabilityValue = OrtValue.CreateTensorValueFromMemory(state.Probability, ProbabilityShape);
        using var nextStateValue = OrtValue.CreateTensorValueFromMemory(state.NextRecurrent, StateShape);
        _session.Run(_runOptions, InputNames, [inputValue, stateValue, _rate], OutputNames, [probabilityValue, nextStateValue]);
        var probability = state.Probability[0];
        state.NextRecurrent.CopyTo(state.Recurrent, 0);
        window[^ContextSamples..].CopyTo(state.Context);
        return probability;
    }

    /// <summary>
    /// Speech probabilities of several streams' next windows, batched across the streams: run
    /// <c>j</c> scores the <c>j</c>-th window of every stream that has one, so each stream's windows
    /// are scored in order and its state advances as with <see cref="Probability"/>. A window costs
    /// well under half as much in a batch of eight as alone (the model is small; a run's fixed cost dominates).
    /// </summary>
    /// <param name="states">One state per stream; a stream appears once.</param>
    /// <param name="windows">Each stream's windows, in order, each <see cref="WindowSamples"/> long.</param>
    /// <returns>Each stream's probabilities, in the order of its windows.</returns>
    /// <exception cref="ArgumentException">The lists differ in length, a state appears twice, or a window is not <see cref="WindowSamples"/> long.</exception>
    public float[][] Probabilities(IReadOnlyList<SileroVadState> states, IReadOnlyList<IReadOnlyList<float[]>> windows)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(windows);
        if (states.Count != windows.Count)
        {
            throw new ArgumentException($"{states.Count} states for {windows.Count} window lists.", nameof(windows));
        }

        if (states.Distinct().Count() != states.Count)
        {
            throw new ArgumentException("A stream's state may appear once in a batch (its windows are scored in order).", nameof(states));
        }

        var longest = 0;
        foreach (var list in windows)
        {
            ArgumentNullException.ThrowIfNull(list);
            if (list.Any(w => w is null || w.Length != WindowSamples))
            {
                throw new ArgumentException($"A VAD window is {WindowSamples} samples.", nameof(windows));
            }

            longest = Math.Max(longest, list.Count);
        }

        var result = windows.Select(w => new float[w.Count]).ToArray();
        var members = new List<int>(states.Count);
        for (var j = 0; j < longest; j++)
        {
            members.Clear();
            for (var i = 0; i < states.Count; i++)
            {
                if (windows[i].Count > j)
                {
                    members.Add(i);
                }
            }

            if (members.Count == 1)
            {
                var only = members[0];
                result[only][j] = Probability(states[only], windows[only][j]);
                continue;
            }

            RunBatch(members, states, windows, j, result);
        }

        return result;
    }

    /// <summary>Speech probability of each of one stream's next windows, in order, advancing <paramref name="state"/> (one run per window).</summary>
    /// <exception cref="ArgumentException">A window is not <see cref="WindowSamples"/> long.</exception>
    public float[] Probabilities(SileroVadState state, IReadOnlyList<float[]> windows)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(windows);
        var result = new float[windows.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Probability(state, windows[i]);
        }

        return result;
    }

    /// <inheritdoc />
    /// <remarks>Scores on the calling thread, one window per run.</remarks>
    public ValueTask<float[]> ScoreAsync(SileroVadState state, IReadOnlyList<float[]> windows, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Probabilities(state, windows));
    }

    private void RunBatch(List<int> members, IReadOnlyList<SileroVadState> states, IReadOnlyList<IReadOnlyList<float[]>> windows, int j, float[][] result)
    {
        var b = members.Count;
        const int Width = ContextSamples + WindowSamples;
        const int Half = StateLength / 2;

        // Pooled: a run of 40 calls' windows is an 88 KB input, on the large object heap if new, and a
        // silo at 90 calls makes some 20 such runs a second; large allocations are what started its
        // full (gen2) collections, one every 4 s before these buffers were pooled, one every 13–17 s after.
        var pool = ArrayPool<float>.Shared;
        var input = pool.Rent(b * Width);
        var recurrent = pool.Rent(StateLength * b);
        var nextRecurrent = pool.Rent(StateLength * b);
        var probabilities = pool.Rent(b);
        try
        {
            for (var k = 0; k < b; k++)
            {
                var state = states[members[k]];
                state.Context.CopyTo(input, k * Width);
                windows[members[k]][j].CopyTo(input, (k * Width) + ContextSamples);

                // State [2, 1, 128] per stream → [2, b, 128] for the batch.
                Array.Copy(state.Recurrent, 0, recurrent, k * Half, Half);
                Array.Copy(state.Recurrent, Half, recurrent, (b + k) * Half, Half);
            }

            var memory = OrtMemoryInfo.DefaultInstance;
            using (var inputValue = OrtValue.CreateTensorValueFromMemory(memory, input.AsMemory(0, b * Width), [b, Width]))
            using (var stateValue = OrtValue.CreateTensorValueFromMemory(memory, recurrent.AsMemory(0, StateLength * b), [2, b, Half]))
            using (var probabilityValue = OrtValue.CreateTensorValueFromMemory(memory, probabilities.AsMemory(0, b), [b, 1]))
            using (var nextStateValue = OrtValue.CreateTensorValueFromMemory(memory, nextRecurrent.AsMemory(0, StateLength * b), [2, b, Half]))
            {
                _session.Run(_runOptions, InputNames, [inputValue, stateValue, _rate], OutputNames, [probabilityValue, nextStateValue]);
            }

            for (var k = 0; k < b; k++)
            {
                var i = members[k];
                var state = states[i];
                Array.Copy(nextRecurrent, k * Half, state.Recurrent, 0, Half);
                Array.Copy(nextRecurrent, (b + k) * Half, state.Recurrent, Half, Half);
                windows[i][j].AsSpan(WindowSamples - ContextSamples).CopyTo(state.Context);
                result[i][j] = probabilities[k];
            }
        }
        finally
        {
            pool.Return(probabilities);
            pool.Return(nextRecurrent);
            pool.Return(recurrent);
            pool.Return(input);
        }
    }

    /// <summary>
    /// Speech probability of each whole window of a 16 kHz clip, from a fresh state (a trailing
    /// partial window is not scored).
    /// </summary>
    public float[] Probabilities(ReadOnlySpan<float> samples16k)
    {
        var state = CreateState();
        var result = new float[samples16k.Length / WindowSamples];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Probability(state, samples16k.Slice(i * WindowSamples, WindowSamples));
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _rate.Dispose();
        _runOptions.Dispose();
        if (_ownsSession)
        {
            _session.Dispose();
        }
    }
}

/// <summary>Silero VAD state of one audio stream (recurrent state and the previous window's tail). Not thread-safe.</summary>
public sealed class SileroVadState
{
    internal float[] Recurrent { get; } = new float[SileroVad.StateLength];

    internal float[] Context { get; } = new float[SileroVad.ContextSamples];

    // Buffers of one window's run, reused from window to window (a state serves one stream at a time).
    internal float[] Input { get; } = new float[SileroVad.ContextSamples + SileroVad.WindowSamples];

    internal float[] NextRecurrent { get; } = new float[SileroVad.StateLength];

    internal float[] Probability { get; } = new float[1];

    /// <summary>Forgets the stream's history.</summary>
    public void Reset()
    {
        Array.Clear(Recurrent);
        Array.Clear(Context);
    }
}
