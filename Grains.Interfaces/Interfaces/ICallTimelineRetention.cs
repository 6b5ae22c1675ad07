namespace Emotion.Orleans.Grains;

/// <summary>
/// The retention check of an ended call (key: call id), called by the call's own retention timer:
/// the timeline of a call ended longer ago than the configured retention is removed from storage.
/// </summary>
[Alias("emotion.call-timeline-retention")]
public interface ICallTimelineRetention : IGrainWithStringKey
{
    /// <summary>Removes the call's timeline when the call ended at least the retention ago; otherwise waits again for the rest.</summary>
    [Alias("remove-timeline-if-due")]
    Task RemoveTimelineIfDue();
}
