namespace Emotion.Orleans.Grains;

/// <summary>
/// The idle check of a call (key: call id), called by the call's own idle timer: a call without
/// inputs for the configured idle timeout is ended.
/// </summary>
[Alias("emotion.call-idle-expiry")]
public interface ICallIdleExpiry : IGrainWithStringKey
{
    /// <summary>Ends the call when it is active and has been idle for the timeout; otherwise waits again for the rest.</summary>
    [Alias("expire-if-idle")]
    Task ExpireIfIdle();
}
