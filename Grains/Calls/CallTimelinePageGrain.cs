using System.Collections.Immutable;

namespace Emotion.Orleans.Grains;

/// <summary>
/// One full page of a call's timeline (key <c>{callId}/{page}</c>), written once by the call's
/// session when the page fills, in the calls' grain storage.
/// </summary>
public sealed class CallTimelinePageGrain(
    [PersistentState("page", CallStreams.Storage)] IPersistentState<CallTimelinePageState> state) : Grain, ICallTimelinePageGrain
{
    /// <inheritdoc />
    public async Task Write(ImmutableArray<FusedResult> results)
    {
        state.State.Results = [.. results];
        await state.WriteStateAsync();

        // A full page is read rarely (a timeline request): it need not stay in memory.
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public async Task Remove()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public Task<ImmutableArray<FusedResult>> Read() => Task.FromResult<ImmutableArray<FusedResult>>([.. state.State.Results]);
}
