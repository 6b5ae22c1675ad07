using Orleans.Serialization;
using Orleans.Storage;

namespace Emotion.Orleans.Silo;

/// <summary>The formats the silo's grain storage writes call state in.</summary>
public static class StorageSerializers
{
    /// <summary>
    /// Writes in Orleans' binary format and reads it, falling back to <paramref name="previous"/>
    /// (the storage default, JSON with type names) for state an earlier version wrote. A session
    /// state write re-serialises the call's latest results; in binary that costs about a twentieth
    /// of the JSON's CPU, bytes and allocation (<c>emotion-load --storage-cost</c>).
    /// </summary>
    /// <param name="serializer">Orleans' serializer.</param>
    /// <param name="previous">The format state was stored in before.</param>
    public static IGrainStorageSerializer BinaryReadingPrevious(Serializer serializer, IGrainStorageSerializer previous)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(previous);
        return new GrainStorageSerializer(new OrleansGrainStorageSerializer(serializer), previous);
    }
}
