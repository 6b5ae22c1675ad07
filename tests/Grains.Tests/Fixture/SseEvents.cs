using System.Text;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>Reads a server-sent event stream to its end.</summary>
public static class SseEvents
{
    /// <summary>Every event of the response until the server closes the stream (bounded by <paramref name="cancellationToken"/>).</summary>
    public static async Task<IReadOnlyList<(string Event, string Data)>> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        var events = new List<(string, string)>();
        string? name = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null)
                {
                    events.Add((name, data.ToString()));
                }

                (name, data) = (null, new StringBuilder());
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line["data: ".Length..]);
            }
        }

        return events;
    }
}
