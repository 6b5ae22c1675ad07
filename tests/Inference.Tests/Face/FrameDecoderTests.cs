using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Orleans.Inference.Tests;

public sealed class FrameDecoderTests
{
    private readonly FrameDecoder _decoder = new();

    private static Image<Rgb24> Gradient(int width, int height)
    {
        var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x + y) % 256));
            }
        }

        return image;
    }

    private InputErrorKind Refusal(byte[] bytes)
    {
        var ex = Assert.Throws<InvalidInputException>(() => _decoder.Decode(bytes));
        Assert.Equal(Modality.Face, ex.Modality);
        return ex.Kind;
    }

    [Fact]
    public void Png_frame_decodes_to_its_exact_rgb_pixels()
    {
        using var source = Gradient(64, 48);

        using var decoded = _decoder.Decode(FaceTestData.Png(source));

        Assert.Equal(64, decoded.Width);
        Assert.Equal(48, decoded.Height);
        Assert.Equal(source[10, 20], decoded[10, 20]);
        Assert.Equal(source[63, 47], decoded[63, 47]);
    }

    [Fact]
    public void Jpeg_frame_decodes_to_its_size_and_approximate_colours()
    {
        using var source = new Image<Rgb24>(320, 240, new Rgb24(200, 40, 90));

        using var decoded = _decoder.Decode(FaceTestData.Jpeg(source));

        Assert.Equal((320, 240), (decoded.Width, decoded.Height));
        var p = decoded[160, 120];
        Assert.InRange(p.R, 190, 210);
        Assert.InRange(p.G, 30, 50);
        Assert.InRange(p.B, 80, 100);
    }

    [Fact]
    public void Jpeg_with_an_exif_rotation_is_turned_upright()
    {
        using var source = new Image<Rgb24>(80, 40, new Rgb24(20, 20, 20));
        source.Metadata.ExifProfile = new ExifProfile();
        source.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6); // stored rotated 90° counter-clockwise

        using var decoded = _decoder.Decode(FaceTestData.Jpeg(source));

        Assert.Equal((40, 80), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void Empty_frame_is_refused_as_empty() => Assert.Equal(InputErrorKind.Empty, Refusal([]));

    [Fact]
    public void Random_bytes_are_refused_as_an_unsupported_format()
    {
        var bytes = new byte[2000];
        new Random(7).NextBytes(bytes);
        bytes[0] = 0x42; // never a JPEG or PNG signature by chance
        Assert.Equal(InputErrorKind.UnsupportedFormat, Refusal(bytes));
    }

    [Fact]
    public void Gif_and_bmp_frames_are_refused_as_an_unsupported_format()
    {
        using var image = Gradient(32, 32);
        using var gif = new MemoryStream();
        image.SaveAsGif(gif);
        using var bmp = new MemoryStream();
        image.SaveAsBmp(bmp);

        Assert.Equal(InputErrorKind.UnsupportedFormat, Refusal(gif.ToArray()));
        Assert.Equal(InputErrorKind.UnsupportedFormat, Refusal(bmp.ToArray()));
    }

    [Fact]
    public void Truncated_jpeg_is_refused_as_corrupt()
    {
        using var image = Gradient(320, 240);
        var jpeg = FaceTestData.Jpeg(image);

        Assert.Equal(InputErrorKind.CorruptImage, Refusal(jpeg[..(jpeg.Length / 2)]));
        Assert.Equal(InputErrorKind.CorruptImage, Refusal(jpeg[..200]));
        Assert.Equal(InputErrorKind.CorruptImage, Refusal(jpeg[..3]));
    }

    [Fact]
    public void Png_with_corrupt_pixel_data_is_refused_as_corrupt()
    {
        using var image = Gradient(320, 240);
        var png = FaceTestData.Png(image);
        var corrupt = (byte[])png.Clone();
        for (var i = png.Length / 2; i < (png.Length / 2) + 64; i++)
        {
            corrupt[i] ^= 0x5A;
        }

        Assert.Equal(InputErrorKind.CorruptImage, Refusal(corrupt));
        Assert.Equal(InputErrorKind.CorruptImage, Refusal(png[..(png.Length - 1)]));
        Assert.Equal(InputErrorKind.CorruptImage, Refusal(png[..40]));
    }

    [Fact]
    public void Frame_wider_than_the_limit_is_refused_as_too_large_from_its_header()
    {
        using var image = new Image<Rgb24>(5000, 10);

        Assert.Equal(InputErrorKind.TooLarge, Refusal(FaceTestData.Png(image)));
        Assert.Equal(InputErrorKind.TooLarge, Refusal(FaceTestData.Jpeg(image)));
    }

    [Fact]
    public void A_4096_square_png_of_a_few_kilobytes_is_refused_by_its_pixel_count()
    {
        using var image = new Image<Rgb24>(4096, 4096, new Rgb24(10, 20, 30));
        var png = FaceTestData.Png(image);
        Assert.True(png.Length < 256 * 1024, $"{png.Length} bytes");

        var ex = Assert.Throws<InvalidInputException>(() => _decoder.Decode(png));

        Assert.Equal(InputErrorKind.TooLarge, ex.Kind);
        Assert.Contains("16777216 pixels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_frame_of_exactly_the_pixel_cap_decodes_and_one_pixel_more_is_refused()
    {
        using var source = Gradient(320, 240);
        var png = FaceTestData.Png(source);

        using var decoded = new FrameDecoder(new FrameDecoderOptions { MaxPixels = 320 * 240 }).Decode(png);
        var capped = new FrameDecoder(new FrameDecoderOptions { MaxPixels = (320 * 240) - 1 });

        Assert.Equal((320, 240), (decoded.Width, decoded.Height));
        Assert.Equal(InputErrorKind.TooLarge, Assert.Throws<InvalidInputException>(() => capped.Decode(png)).Kind);
    }

    [Fact]
    public void A_frame_over_the_working_size_is_scaled_down_keeping_its_aspect()
    {
        using var source = Gradient(2000, 1000);

        using var png = _decoder.Decode(FaceTestData.Png(source));
        using var jpeg = new FrameDecoder(new FrameDecoderOptions { WorkingMaxSide = 500 }).Decode(FaceTestData.Jpeg(source));

        Assert.Equal((1280, 640), (png.Width, png.Height));
        Assert.Equal((500, 250), (jpeg.Width, jpeg.Height));
        using var small = _decoder.Decode(FaceTestData.Png(Gradient(640, 480)));
        Assert.Equal((640, 480), (small.Width, small.Height));
    }

    [Fact]
    public void Large_frames_decoded_from_many_threads_at_once_all_come_out_scaled()
    {
        var decoder = new FrameDecoder(new FrameDecoderOptions { WorkingMaxSide = 256, MaxConcurrentLargeDecodes = 1 });
        using var source = Gradient(1024, 768);
        var png = FaceTestData.Png(source);

        var sizes = new (int, int)[8];
        var threads = Enumerable.Range(0, sizes.Length).Select(i => new Thread(() =>
        {
            using var image = decoder.Decode(png);
            sizes[i] = (image.Width, image.Height);
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));

        Assert.All(sizes, s => Assert.Equal((256, 192), s));
    }

    [Fact]
    public void Frame_over_the_byte_limit_is_refused_as_too_large()
    {
        var decoder = new FrameDecoder(new FrameDecoderOptions { MaxBytes = 100 });
        using var image = Gradient(200, 200);
        var png = FaceTestData.Png(image);
        Assert.True(png.Length > 100);

        var ex = Assert.Throws<InvalidInputException>(() => decoder.Decode(png));

        Assert.Equal(InputErrorKind.TooLarge, ex.Kind);
    }

    [Fact]
    public void Batch_with_one_bad_frame_is_refused_naming_that_frame()
    {
        using var image = Gradient(32, 32);
        var good = FaceTestData.Png(image);

        var ex = Assert.Throws<InvalidInputException>(() => _decoder.DecodeAll([good, new byte[] { 1, 2, 3 }, good]));

        Assert.Equal(InputErrorKind.UnsupportedFormat, ex.Kind);
        Assert.StartsWith("Frame 1:", ex.Message, StringComparison.Ordinal);
    }
}
