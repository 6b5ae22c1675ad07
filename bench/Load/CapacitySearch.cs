using System.Globalization;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>
/// Raises the number of calls (doubling, then halving the gap) until a step no longer holds the
/// bound (p99 event-to-result latency, nothing dropped or refused); then, when the options ask for
/// it, confirms the highest count that held in a longer step, stepping down until one holds. The
/// answer is the highest count that held (and was confirmed).
/// </summary>
/// <remarks>
/// Short steps find the knee quickly but can pass a count whose queues grow too slowly to cross
/// the bound within the step; the confirmation step is long enough for such a backlog to show.
/// </remarks>
public sealed class CapacitySearch(LoadStep step, LoadOptions options, TextWriter log)
{
    /// <summary>Searches within the options' budget.</summary>
    /// <returns>Every step run, in order, and the highest count that held (0 when even one call did not).</returns>
    public async Task<(IReadOnlyList<StepFigures> Steps, int MaxHeld)> RunAsync(string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runId);
        List<StepFigures> steps = [];
        var held = 0;
        int? failed = null;
        var started = DateTime.UtcNow;
        var n = options.Calls ?? 1;
        while (!cancellationToken.IsCancellationRequested)
        {
            var (figures, _) = await step.RunAsync(n, $"{runId}-n{n}", cancellationToken: cancellationToken);
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

            if (DateTime.UtcNow - started >= options.SearchBudget)
            {
                await log.WriteLineAsync($"search budget ({options.SearchBudget.TotalSeconds:0} s) spent; the highest count that held stands");
                break;
            }

            n = next;
        }

        if (options.Calls is null && held > 0 && options.ConfirmStep > options.StepDuration)
        {
            held = await ConfirmAsync(held, runId, steps, cancellationToken);
        }

        return (steps, held);
    }

    private async Task<int> ConfirmAsync(int candidate, string runId, List<StepFigures> steps, CancellationToken cancellationToken)
    {
        await log.WriteLineAsync($"confirming in steps of {options.ConfirmStep.TotalSeconds:0} s");
        while (candidate > 0 && !cancellationToken.IsCancellationRequested)
        {
            var (figures, _) = await step.RunAsync(candidate, $"{runId}-c{candidate}", options.ConfirmStep, cancellationToken);
            steps.Add(figures);
            var ok = figures.Held(options.MaxP99, options.MaxFaceShed);
            await log.WriteLineAsync(Describe(figures, ok));
            if (ok)
            {
                return candidate;
            }

            // Small steps: the count that fails a long step is usually only a little above the one that holds.
            candidate -= Math.Max(1, candidate / 16);
        }

        return 0;
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
