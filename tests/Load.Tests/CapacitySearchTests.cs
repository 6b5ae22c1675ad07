using Emotion.Orleans.LoadGenerator;
using Microsoft.Extensions.Time.Testing;

namespace Emotion.Orleans.Load.Tests;

/// <summary>The capacity search's choice of steps, over a simulated silo and clock (no calls are run).</summary>
public sealed class CapacitySearchTests
{
    private static readonly LatencySummary Latency = new(100, 20, 80, 120, 150);

    /// <summary>A step's figures: held (p99 120 ms) or failed (inputs dropped).</summary>
    private static StepFigures Figures(int calls, bool held)
    {
        var modality = new ModalityFigures(100, 0, 0, 0, Latency, Latency);
        var modalities = new Dictionary<string, ModalityFigures>(StringComparer.Ordinal) { ["text"] = modality, ["speech"] = modality, ["face"] = modality };
        return new StepFigures(calls, 8, modalities, Latency, Latency, 300, 10, 300, 0, 100, held ? 0 : 5, 0, null);
    }

    /// <summary>
    /// Runs the search over a silo that holds a step when <paramref name="holds"/> says so (calls, step
    /// length); each step advances the clock by its length. Returns the steps run and the answer.
    /// </summary>
    private static async Task<(List<(int Calls, TimeSpan Length)> Steps, int Held)> SearchAsync(LoadOptions options, Func<int, TimeSpan, bool> holds)
    {
        var time = new FakeTimeProvider();
        var steps = new List<(int, TimeSpan)>();
        var search = new CapacitySearch(
            (calls, _, length, _) =>
            {
                var stepLength = length ?? options.StepDuration;
                steps.Add((calls, stepLength));
                time.Advance(stepLength);
                return Task.FromResult(Figures(calls, holds(calls, stepLength)));
            },
            options,
            TextWriter.Null,
            time);
        var (_, held) = await search.RunAsync("run", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        return (steps, held);
    }

    [Fact]
    public async Task A_search_stopped_by_its_budget_narrows_the_untried_gap_in_long_steps()
    {
        // The short mode's 75 s budget ends after 1…64, 128, 96 and 80 (8 s each): 80 held, 96 failed.
        var options = LoadOptions.Parse(["--short"]);

        var (steps, held) = await SearchAsync(options, (calls, _) => calls <= 93);

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 96, 80], steps.Where(s => s.Length == options.StepDuration).Select(s => s.Calls));
        Assert.Equal([80, 88, 92], steps.Where(s => s.Length == options.ConfirmStep).Select(s => s.Calls));
        Assert.Equal(92, held);
    }

    [Fact]
    public async Task A_gap_of_half_the_count_is_narrowed_to_a_sixteenth_in_three_long_steps()
    {
        // 128 held and 192 failed when the budget ran out; a band of an eighth (128 held, 144 failed)
        // cannot tell 0.77 of a 167-call ceiling from 0.86.
        var options = LoadOptions.Parse(["--short"]);

        var (steps, held) = await SearchAsync(options, (calls, _) => calls <= 139);

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 192], steps.Where(s => s.Length == options.StepDuration).Select(s => s.Calls));
        Assert.Equal([128, 160, 144, 136], steps.Where(s => s.Length == options.ConfirmStep).Select(s => s.Calls));
        Assert.Equal(136, held);
    }

    [Fact]
    public async Task A_count_that_fails_its_long_step_is_stepped_down_by_a_sixteenth_until_one_holds()
    {
        // Short steps pass counts whose backlog grows too slowly to show within them (up to 60 here).
        var options = LoadOptions.Parse(["--short", "--budget", "600"]);

        var (steps, held) = await SearchAsync(options, (calls, length) => calls <= (length == options.StepDuration ? 60 : 50));

        Assert.Equal([60, 57, 54, 51, 48], steps.Where(s => s.Length == options.ConfirmStep).Select(s => s.Calls));
        Assert.Equal(48, held);
    }
}
