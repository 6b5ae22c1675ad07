using System.Collections.Immutable;
using System.Globalization;

namespace Emotion.Orleans.Grains;

/// <summary>Keys of a call's timeline pages and reading a whole timeline page by page.</summary>
public static class CallTimelines
{
    /// <summary>The key of the <see cref="ICallTimelinePageGrain"/> of page <paramref name="page"/> (0, 1, …) of a call: <c>{callId}/{page}</c>.</summary>
    public static string PageKey(string callId, int page) => string.Create(CultureInfo.InvariantCulture, $"{callId}/{page}");

    /// <summary>Every result of the call's timeline, read page by page (<see cref="CallTimeline.Next"/> is null).</summary>
    /// <exception cref="CallNotFoundException">The call was never started.</exception>
    public static async Task<CallTimeline> ReadAllAsync(this ICallSessionGrain call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var builder = ImmutableArray.CreateBuilder<FusedResult>();
        var page = await call.GetTimeline(0, CallTimeline.MaxPageSize);
        builder.AddRange(page.Results);
        while (page.Next is { } next)
        {
            page = await call.GetTimeline(next, CallTimeline.MaxPageSize);
            builder.AddRange(page.Results);
        }

        return page with { Results = builder.ToImmutable(), Next = null };
    }
}
