using System.Diagnostics;
using System.Collections.Immutable;
using Emotion.Orleans.Inference;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Emotion.Orleans.Grains;

/// <summary>
/// Fusion of one call: the latest class embedding z_i of each modality with the stretch of call
/// time it covers; fuses on utterance end and otherwise at most once per cadence interval.
/// </summary>
public sealed partial class FusionGrain(FusionModel model, IOptions<FusionOptions> options, EmotionMetrics metrics, ILogger<FusionGrain> logger) : Grain, IFusionGrain
{
    private readonly Evidence?[] _latest = new Evidence?[ModalityAttention.ModalityCount];
    private readonly FusionOptions _options = options.Value;
    private TimeSpan? _lastFusedAt;
    private long _sequence;
    private IAsyncStream<FusedResult>? _results;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _results = this.GetStreamProvider(CallStreams.Provider)
            .GetStream<FusedResult>(StreamId.Create(CallStreams.Results, this.GetPrimaryKeyString()));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<FusedResult?> Observe(ModalityObservation observation, long sequence)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var slot = (int)observation.Modality;

        // Checked before any state changes, so a malformed observation leaves the call's evidence intact.
        ArgumentOutOfRangeException.ThrowIfNegative(slot, nameof(observation));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, _latest.Length, nameof(observation));
        if (observation.Logits is { } given && given.Values.Length != EmotionLabels.Count)
        {
            throw new ArgumentException($"Class logits must be {EmotionLabels.Count} wide; got {given.Values.Length}.", nameof(observation));
        }

        if (observation.Logits is null && _latest[slot] is null)
        {
            // Absent and still absent: nothing changed, nothing to report.
            return null;
        }

        _latest[slot] = observation.Logits is { } z ? new Evidence([.. z.Values], observation.Start, observation.End) : null;
        var now = observation.End;
        for (var i = 0; i < _latest.Length; i++)
        {
            if (_latest[i] is { } e && now - e.End > _options.EvidenceMaxAge)
            {
                _latest[i] = null;
            }
        }

        if (_latest.All(e => e is null))
        {
            return null;
        }

        var due = observation.UtteranceEnd || _lastFusedAt is not { } last || now - last >= _options.CadenceInterval;
        if (!due)
        {
            return null;
        }

        var fuseStart = Stopwatch.GetTimestamp();
        FusionOutput output;
        using (EmotionMetrics.StartFusion(observation.UtteranceEnd ? FusionTrigger.UtteranceEnd : FusionTrigger.Cadence))
        {
            output = model.Fuse([.. _latest.Select(e => e?.Logits)]);
        }

        metrics.RecordFusion(Stopwatch.GetElapsedTime(fuseStart));

        // The number is taken only once the result is out: when the reply or the publish fails (e.g.
        // a silo that hosted them died) the caller's retry gets the same number, not a gap.
        var number = Math.Max(_sequence + 1, sequence);
        var contributions = ImmutableArray.CreateBuilder<ModalityContribution>();
        for (var i = 0; i < _latest.Length; i++)
        {
            if (_latest[i] is { } e && output.PerModalityProbabilities[i] is { } p)
            {
                contributions.Add(new ModalityContribution((InputModality)i, p.ToDistribution(), output.Alpha[i], e.Start, e.End));
            }
        }

        var present = _latest.Where(e => e is not null).Select(e => e!).ToList();
        var distribution = output.Probabilities.ToDistribution();
        var trigger = observation.UtteranceEnd ? FusionTrigger.UtteranceEnd : FusionTrigger.Cadence;
        var reply = await SuggestReplyAsync(observation, distribution);
        var result = new FusedResult(
            this.GetPrimaryKeyString(),
            number,
            present.Min(e => e.Start),
            present.Max(e => e.End),
            distribution,
            [.. output.Alpha],
            contributions.ToImmutable(),
            trigger,
            reply);
        LogFused(logger, result.CallId, result.Sequence, result.Emotion, trigger);
        await _results!.OnNextAsync(result);
        _sequence = number;
        _lastFusedAt = now;
        metrics.ResultPublished(trigger);
        return result;
    }

    /// <inheritdoc />
    public Task Complete()
    {
        Array.Clear(_latest);
        _lastFusedAt = null;
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private async Task<ReplySuggestion?> SuggestReplyAsync(ModalityObservation observation, EmotionDistribution distribution)
    {
        if (!_options.SuggestReplies || !observation.UtteranceEnd || observation.Speaker != Speaker.Customer || string.IsNullOrWhiteSpace(observation.Text))
        {
            return null;
        }

        var start = Stopwatch.GetTimestamp();
        using var span = EmotionMetrics.StartReplySuggestion();
        var replies = GrainFactory.GetGrain<IResponseGrain>(0);
        var reply = observation.TextEmbedding is { IsDefault: false } embedding
            ? await replies.Suggest(distribution.Top, observation.Text, embedding)
            : await replies.Suggest(distribution.Top, observation.Text);
        metrics.RecordReplySuggestion(Stopwatch.GetElapsedTime(start));
        return reply;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Call {CallId}: result {Sequence} is {Emotion} ({Trigger}).")]
    private static partial void LogFused(ILogger logger, string callId, long sequence, string emotion, FusionTrigger trigger);

    private sealed record Evidence(float[] Logits, TimeSpan Start, TimeSpan End);
}
