namespace Emotion.Orleans.Grains.Tests;

/// <summary>Waits for something another part of the system does by itself (e.g. a timer's work), checking again until a bound.</summary>
public static class Eventually
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);

    /// <summary>The first value of <paramref name="read"/> that satisfies <paramref name="done"/>; fails after 20 s.</summary>
    public static async Task<T> ReadUntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var timeout = new CancellationTokenSource(MaxWait);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(Pause, timeout.Token);
        }
    }
}
