using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// Passes every batch to the real face recognizer; while closed, a batch waits at the gate before
/// the model runs, so tests can hold a frame in recognition. Open unless a test closes it.
/// </summary>
public sealed class GatedFaceRecognizer(IFaceRecognizer model) : IFaceRecognizer, IDisposable
{
    private static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(30);

    private readonly ManualResetEventSlim _open = new(initialState: true);
    private readonly SemaphoreSlim _entered = new(0);

    /// <summary>Holds the next batches at the gate until <see cref="Open"/> (or 30 s at most).</summary>
    public void Close()
    {
        _open.Reset();
        while (_entered.Wait(0))
        {
            // Forget the batches that passed before.
        }
    }

    /// <summary>Lets the held batches and every later one through.</summary>
    public void Open() => _open.Set();

    /// <summary>Waits (bounded) until a batch has reached the gate since <see cref="Close"/>; false when none did.</summary>
    public Task<bool> WaitUntilEnteredAsync() => _entered.WaitAsync(MaxHold);

    public IReadOnlyList<FaceObservation> Recognize(IReadOnlyList<ReadOnlyMemory<byte>> frames)
    {
        _entered.Release();
        _open.Wait(MaxHold);
        return model.Recognize(frames);
    }

    public void Dispose()
    {
        _open.Dispose();
        _entered.Dispose();
    }
}
