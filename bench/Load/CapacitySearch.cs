using System.Globalization;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// Raises the number of calls (doubling, then halving the gap) until a step no longer holds the
/// bound (p99 event-to-result latency, nothing dropped or refused); then, when the options ask for
/// it, confirms the highest count that held in a longer step, stepping down until one holds, and
/// narrows the gap between that count and the lowest one that failed in long steps too. The answer
/// is the highest count that held (and was confirmed).
/// </summary>
/// <remarks>
/// Short steps find the knee quickly but can pass a count whose queues grow too slowly to cross
/// the bound within the step; the confirmation step is long enough for such a backlog to show.
/// </remarks>
/// <param name="runStep">Runs one step: the number of calls, the step's id, its length (null: the options' step) → its figures.</param>
/// <param name="options">Bounds, budget and step lengths.</param>
/// <param name="log">One line per step.</param>
/// <param name="time">The clock the search budget is spent on (the system's when null).</param>
public sealed class CapacitySearch(Func<int, string, TimeSpan?, CancellationToken, Task<StepFigures>> runStep, LoadOptions options, TextWriter log, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Long steps the confirmation may add above the confirmed count. The short search can stop on its
    /// budget with a wide untried gap (80 held, 96 failed on 2026-12-02; 128 held, 192 failed later that
    /// day); three halvings bring a gap of half the count to a sixteenth, for three minutes more. With
    /// two, run 142005 stopped at 128 held, 144 failed: a band of an eighth, too wide to tell 0.77
    /// of the ceiling from 0.86.
    /// </summary>
    public const int MaxNarrowingSteps = 3;

    /// <summary>A search over <paramref name="step"/>'s calls.</summary>
    public CapacitySearch(LoadStep step, LoadOptions options, TextWriter log)
        : this(async (n, id, length, cancellationToken) => (await step.RunAsync(n, id, length, cancellationToken)).Figures, options, log)
    {
    }

    /// <summary>Searches within the options' budget.</summary>
    /// <returns>Every step run, in order, and the highest count that held (0 when even one call did not).</returns>
    public async Task<(IReadOnlyList<StepFigures> Steps, int MaxHeld)> RunAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        List<StepFigures> steps = [];
        var held = 0;
        int? failed = null;
        var started = _time.GetUtcNow();
        var n = options.Calls ?? 1;
        while (!cancellationToken.IsCancellationRequested)
        {
            var figures = await runStep(n, $"{runId}-n{n}", null, cancellationToken);
            steps.Add(figures);
            var ok = figures.Held(options.MaxP99, options.MaxFaceShed);
            await log.WriteLineAsync(Describe(figures, ok));
            if (options.Calls is not null)
            {
                return (steps, ok ? n : 0);
            }

            if (ok)
            {
                held = Math.Max(held, n);
            }
            else
            {
                failed = Math.Min(failed ?? int.MaxValue, n);
            }

            int next;
            if (failed is not { } f)
            {
                if (n >= options.MaxCalls)
                {
                    break;
                }

                next = Math.Min(n * 2, options.MaxCalls);
            }
            else
            {
                // Close enough: within one call, or an eighth of the count that held.
                if (f - held <= Math.Max(1, held / 8))
                {
                    break;
                }

                next = (held + f) / 2;
            }

            if (_time.GetUtcNow() - started >= options.SearchBudget)
            {
                await log.WriteLineAsync($"search budget ({options.SearchBudget.TotalSeconds:0} s) spent; the highest count that held stands");
                break;
            }

            n = next;
        }

        if (options.Calls is null && held > 0 && options.ConfirmStep > options.StepDuration)
        {
            held = await ConfirmAsync(held, failed, runId, steps, cancellationToken);
        }

        return (steps, held);
    }

    private async Task<int> ConfirmAsync(int candidate, int? failed, string runId, List<StepFigures> steps, CancellationToken cancellationToken)
    {
        await log.WriteLineAsync($"confirming in steps of {options.ConfirmStep.TotalSeconds:0} s");
        var confirmed = 0;
        while (candidate > 0 && !cancellationToken.IsCancellationRequested)
        {
            if (await HoldsLongAsync(candidate, runId, steps, cancellationToken))
            {
                confirmed = candidate;
                break;
            }

            failed = candidate;

            // Small steps: the count that fails a long step is usually only a little above the one that holds.
            candidate -= Math.Max(1, candidate / 16);
        }

        // Between the confirmed count and the lowest that failed, halve the gap in long steps while it
        // is wider than a sixteenth of the count.
        for (var tries = 0; confirmed > 0 && failed is { } f && f - confirmed > Math.Max(1, confirmed / 16) && tries < MaxNarrowingSteps && !cancellationToken.IsCancellationRequested; tries++)
        {
            var n = (confirmed + f) / 2;
            if (await HoldsLongAsync(n, runId, steps, cancellationToken))
            {
                confirmed = n;
            }
            else
            {
                failed = n;
            }
        }

        return confirmed;
    }

    private async Task<bool> HoldsLongAsync(int calls, string runId, List<StepFigures> steps, CancellationToken cancellationToken)
    {
        var figures = await runStep(calls, $"{runId}-c{calls}", options.ConfirmStep, cancellationToken);
        steps.Add(figures);
        var ok = figures.Held(options.MaxP99, options.MaxFaceShed);
        await log.WriteLineAsync(Describe(figures, ok));
        return ok;
    }

    /// <summary>One line per step.</summary>
    public static string Describe(StepFigures figures, bool held)
    {
        ArgumentNullException.ThrowIfNull(figures);
        static string Ms(double? v) => v is { } x ? x.ToString("0", CultureInfo.InvariantCulture) : "-";
        var e = figures.EventToResult;
        var m = figures.Modalities;
        var error = figures.FirstError is { } first ? $" | first error: {first}" : "";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{figures.Calls,4} calls: {(held ? "held  " : "FAILED")} event→result p50/p95/p99 {Ms(e.P50)}/{Ms(e.P95)}/{Ms(e.P99)} ms | round trip p99 text {Ms(m["text"].RoundTrip.P99)} speech {Ms(m["speech"].RoundTrip.P99)} face {Ms(m["face"].RoundTrip.P99)} ms | {figures.ResultsPerSecond:0.0} results/s, dropped {figures.Dropped}, refused {figures.Refused}, frames shed {(figures.FaceShedShare is { } shed ? shed.ToString("P1", CultureInfo.InvariantCulture) : "n/a")}, mixed {figures.MixedUp}, cpu {figures.ProcessCpuCores:0.00} cores{error}");
    }
}
