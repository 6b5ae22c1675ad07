using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Orleans.Inference;

/// <summary>
/// Decodes JPEG and PNG video frames to RGB with hard limits. The size is read from the header
/// before the pixels are decoded, so an oversized frame never allocates its pixel buffer; a frame
/// over the working size is scaled down right after decoding (ImageSharp 2 cannot decode at a
/// smaller size), and only a few such decodes run at once.
/// </summary>
public sealed class FrameDecoder
{
    // Pixel buffers ImageSharp keeps pooled for reuse; beyond this they go back to the runtime.
    private const int PoolMegabytes = 32;

    private static readonly byte[] JpegStart = [0xFF, 0xD8, 0xFF];
    private static readonly byte[] JpegEnd = [0xFF, 0xD9];
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // Length 0, "IEND", CRC: the fixed last chunk of every complete PNG.
    private static readonly byte[] PngEnd = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];

    private readonly FrameDecoderOptions _options;

    // Only the two accepted formats are registered, so no other decoder ever sees untrusted bytes.
    private readonly Configuration _configuration = new(new JpegConfigurationModule(), new PngConfigurationModule())
    {
        MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { MaximumPoolSizeMegabytes = PoolMegabytes }),

        // One thread per decode: a silo runs several face runs at once, one per core, and ImageSharp
        // splitting a resize over the thread pool would only queue its rows behind other work.
        MaxDegreeOfParallelism = 1,
    };

    // Guards the count of large decodes in flight (a monitor: nothing to dispose).
    private readonly object _largeDecodesGate = new();
    private int _largeDecodes;

    /// <summary>Creates the decoder.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive.</exception>
    public FrameDecoder(FrameDecoderOptions? options = null)
    {
        _options = options ?? new FrameDecoderOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxPixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.WorkingMaxSide);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxConcurrentLargeDecodes);
    }

    /// <summary>The limits in force.</summary>
    public FrameDecoderOptions Options => _options;

    /// <summary>Decodes one frame to 8-bit RGB, turned upright by its EXIF orientation; the caller disposes the image.</summary>
    /// <exception cref="InvalidInputException">
    /// The frame is empty (<see cref="InputErrorKind.Empty"/>), not JPEG or PNG
    /// (<see cref="InputErrorKind.UnsupportedFormat"/>), truncated or corrupt
    /// (<see cref="InputErrorKind.CorruptImage"/>), or over a byte or pixel limit (<see cref="InputErrorKind.TooLarge"/>).
    /// </exception>
    public Image<Rgb24> Decode(ReadOnlyMemory<byte> frame)
    {
        var bytes = frame.Span;
        if (bytes.IsEmpty)
        {
            throw Invalid(InputErrorKind.Empty, "The frame has no bytes.");
        }

        if (bytes.Length > _options.MaxBytes)
        {
            throw Invalid(InputErrorKind.TooLarge, $"The frame has {bytes.Length} bytes; the limit is {_options.MaxBytes}.");
        }

        var isJpeg = bytes.StartsWith(JpegStart);
        var isPng = !isJpeg && bytes.StartsWith(PngSignature);
        if (!isJpeg && !isPng)
        {
            throw Invalid(InputErrorKind.UnsupportedFormat, "The frame is neither JPEG nor PNG.");
        }

        // ImageSharp fills a cut-off JPEG with grey instead of failing, so completeness is checked here.
        if (isJpeg ? !EndsWithJpegEnd(bytes) : !bytes.EndsWith(PngEnd))
        {
            throw Invalid(InputErrorKind.CorruptImage, $"The {(isJpeg ? "JPEG" : "PNG")} frame is truncated: it has no end marker.");
        }

        try
        {
            using var stream = AsStream(frame);
            var info = Image.Identify(_configuration, stream)
                ?? throw Invalid(InputErrorKind.CorruptImage, "The frame's header cannot be read.");
            if (info.Width <= 0 || info.Height <= 0)
            {
                throw Invalid(InputErrorKind.CorruptImage, $"The frame declares a {info.Width}×{info.Height} size.");
            }

            if (info.Width > _options.MaxWidth || info.Height > _options.MaxHeight)
            {
                throw Invalid(
                    InputErrorKind.TooLarge,
                    $"The frame is {info.Width}×{info.Height} pixels; the limit is {_options.MaxWidth}×{_options.MaxHeight}.");
            }

            if ((long)info.Width * info.Height > _options.MaxPixels)
            {
                throw Invalid(
                    InputErrorKind.TooLarge,
                    $"The frame is {info.Width}×{info.Height} = {(long)info.Width * info.Height} pixels; the limit is {_options.MaxPixels}.");
            }

            stream.Position = 0;
            var large = Math.Max(info.Width, info.Height) > _options.WorkingMaxSide;
            Image<Rgb24> image;
            if (large)
            {
                // Decoding is synchronous CPU work: waiting for a slot only lasts until another decode finishes.
                EnterLargeDecode();
                try
                {
                    image = Image.Load<Rgb24>(_configuration, stream);
                    try
                    {
                        ScaleToWorkingSize(image);
                    }
                    catch
                    {
                        image.Dispose();
                        throw;
                    }
                }
                finally
                {
                    ExitLargeDecode();
                }
            }
            else
            {
                image = Image.Load<Rgb24>(_configuration, stream);
            }

            try
            {
                // Phone cameras store rotation in EXIF; the detector only finds upright faces.
                image.Mutate(c => c.AutoOrient());
                return image;
            }
            catch
            {
                image.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (ex is ImageFormatException or NotSupportedException or ArgumentException)
        {
            // InvalidImageContentException and UnknownImageFormatException both derive from ImageFormatException.
            throw new InvalidInputException(Modality.Face, InputErrorKind.CorruptImage, $"The frame cannot be decoded: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Decodes every frame, or none: when one frame is refused, the images already decoded are
    /// disposed and the error names the frame's index.
    /// </summary>
    /// <exception cref="InvalidInputException">A frame is refused; see <see cref="Decode"/>.</exception>
    public Image<Rgb24>[] DecodeAll(IReadOnlyList<ReadOnlyMemory<byte>> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var images = new Image<Rgb24>[frames.Count];
        var decoded = 0;
        try
        {
            for (; decoded < frames.Count; decoded++)
            {
                try
                {
                    images[decoded] = Decode(frames[decoded]);
                }
                catch (InvalidInputException ex)
                {
                    throw new InvalidInputException(ex.Modality, ex.Kind, $"Frame {decoded}: {ex.Message}", ex);
                }
            }

            return images;
        }
        catch
        {
            for (var i = 0; i < decoded; i++)
            {
                images[i].Dispose();
            }

            throw;
        }
    }

    private void EnterLargeDecode()
    {
        lock (_largeDecodesGate)
        {
            while (_largeDecodes >= _options.MaxConcurrentLargeDecodes)
            {
                Monitor.Wait(_largeDecodesGate);
            }

            _largeDecodes++;
        }
    }

    private void ExitLargeDecode()
    {
        lock (_largeDecodesGate)
        {
            _largeDecodes--;
            Monitor.Pulse(_largeDecodesGate);
        }
    }

    // Longest side down to the working size, aspect kept; the full-size buffer is released here.
    private void ScaleToWorkingSize(Image<Rgb24> image)
    {
        var scale = (double)_options.WorkingMaxSide / Math.Max(image.Width, image.Height);
        var width = Math.Max(1, (int)Math.Round(image.Width * scale));
        var height = Math.Max(1, (int)Math.Round(image.Height * scale));
        image.Mutate(c => c.Resize(width, height));
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> frame) =>
        MemoryMarshal.TryGetArray(frame, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(frame.ToArray(), writable: false);

    private static bool EndsWithJpegEnd(ReadOnlySpan<byte> bytes)
    {
        // Some encoders pad after the end-of-image marker with zero bytes; anything else after it is refused.
        var end = bytes.Length;
        while (end > 0 && bytes[end - 1] == 0)
        {
            end--;
        }

        return bytes[..end].EndsWith(JpegEnd);
    }

    private static InvalidInputException Invalid(InputErrorKind kind, string message) => new(Modality.Face, kind, message);
}
