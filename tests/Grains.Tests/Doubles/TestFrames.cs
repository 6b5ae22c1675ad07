namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// Frames for the face test double: a PNG signature, then one byte that says what the "camera"
/// saw (1 = a smiling face, 2 = a frowning face, 0 = no face).
/// </summary>
public static class TestFrames
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Smiling { get; } = [.. PngSignature, 1];

    public static byte[] Frowning { get; } = [.. PngSignature, 2];

    public static byte[] NoFace { get; } = [.. PngSignature, 0];

    public static byte[] NotAnImage { get; } = "this is not an image"u8.ToArray();

    public static bool HasSignature(ReadOnlySpan<byte> bytes) => bytes.StartsWith(PngSignature);

    public static bool IsImage(ReadOnlySpan<byte> bytes) => HasSignature(bytes) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]);
}
