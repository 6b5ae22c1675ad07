namespace Emotion.Orleans.Grains;

/// <summary>The call ended longer ago than the timeline retention: its results were removed from storage.</summary>
[GenerateSerializer]
[Alias("emotion.timeline-removed")]
public sealed class TimelineRemovedException : CallException
{
    /// <summary>Creates the error.</summary>
    public TimelineRemovedException()
    {
    }

    /// <summary>Creates the error.</summary>
    public TimelineRemovedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public TimelineRemovedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error for a call id and the time its timeline was removed.</summary>
    public static TimelineRemovedException For(string callId, DateTimeOffset removedAt) =>
        new($"Call '{callId}' ended; its timeline was removed at {removedAt:O} (Calls:EndedCallRetention).") { CallId = callId };
}
