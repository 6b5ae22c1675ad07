using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Emotion.Orleans.Training;

/// <summary>
/// Encoder features cached on disk, keyed by the encoder's hash and the exact items, so repeated
/// training runs skip the expensive encoder passes. A key mismatch simply recomputes.
/// </summary>
public sealed class FeatureCache(string directory)
{
    private const int Magic = 0x45465443; // "EFTC"

    /// <summary>The cache folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>Cache key from the encoder identity and the item identities (paths or texts), in order.</summary>
    public static string Key(string name, string encoderSha256, IEnumerable<string> items)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(encoderSha256));
        foreach (var item in items)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(item));
            hash.AppendData([0]);
        }

        return $"{name}-{Convert.ToHexStringLower(hash.GetHashAndReset())[..16]}";
    }

    /// <summary>Returns the cached rows for <paramref name="key"/>, or computes, stores and returns them.</summary>
    public float[][] GetOrCompute(string key, Func<float[][]> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        var path = Path.Combine(Directory, key + ".bin");
        if (TryRead(path) is { } cached)
        {
            return cached;
        }

        var rows = compute();
        System.IO.Directory.CreateDirectory(Directory);
        var temp = path + ".tmp";
        Write(temp, rows);
        File.Move(temp, path, overwrite: true);
        return rows;
    }

    private static float[][]? TryRead(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || BinaryPrimitives.ReadInt32LittleEndian(bytes) != Magic)
        {
            return null;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        var width = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (count < 0 || width < 0 || bytes.Length != 12 + ((long)count * width * sizeof(float)))
        {
            return null;
        }

        var rows = new float[count][];
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan(12));
        for (var i = 0; i < count; i++)
        {
            rows[i] = floats.Slice(i * width, width).ToArray();
        }

        return rows;
    }

    private static void Write(string path, float[][] rows)
    {
        var width = rows.Length == 0 ? 0 : rows[0].Length;
        using var stream = File.Create(path);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], rows.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], width);
        stream.Write(header);
        foreach (var row in rows)
        {
            if (row.Length != width)
            {
                throw new InvalidOperationException("Cached feature rows must all have the same width.");
            }

            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()));
        }
    }
}
