using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit.Abstractions;

namespace Emotion.Orleans.Inference.Tests;

[Collection(FaceModelsGroup.Name)]
public sealed class BlazeFaceDetectorTests(FaceModelsFixture models, ITestOutputHelper output)
{
    private readonly BlazeFaceDetector _detector = models.Detector;

    [Fact]
    public void Anchors_follow_the_short_range_layout()
    {
        var centres = BlazeFaceAnchors.Centres;

        Assert.Equal(896, centres.Count);

        // First anchors: the 16×16 grid, two per cell; anchor 512 starts the 8×8 grid, six per cell.
        Assert.Equal((0.5f / 16, 0.5f / 16), centres[0]);
        Assert.Equal(centres[0], centres[1]);
        Assert.Equal((1.5f / 16, 0.5f / 16), centres[2]);
        Assert.Equal((15.5f / 16, 15.5f / 16), centres[511]);
        Assert.Equal((0.5f / 8, 0.5f / 8), centres[512]);
        Assert.Equal((1.5f / 8, 0.5f / 8), centres[518]);
        Assert.Equal((7.5f / 8, 7.5f / 8), centres[895]);
    }

    [Fact]
    public void Blank_and_patterned_frames_have_no_face()
    {
        using var grey = new Image<Rgb24>(640, 480, new Rgb24(128, 128, 128));
        using var black = new Image<Rgb24>(320, 320, new Rgb24(0, 0, 0));
        using var stripes = new Image<Rgb24>(400, 300);
        for (var y = 0; y < stripes.Height; y++)
        {
            for (var x = 0; x < stripes.Width; x++)
            {
                stripes[x, y] = (x / 20) % 2 == 0 ? new Rgb24(250, 250, 250) : new Rgb24(10, 10, 10);
            }
        }

        var faces = _detector.Detect([grey, black, stripes]);

        Assert.All(faces, Assert.Empty);
    }

    [SkippableFact]
    public void A_frame_in_a_batch_gets_the_faces_it_gets_alone_whatever_ran_before()
    {
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        var images = FaceTestData.CleanDevImages(perLabel: 1);
        var side = 48 * FaceTestData.PasteScale;
        using var first = FaceTestData.PasteOnCanvas(images[0].Path, 640, 480, 40, 60);
        using var second = FaceTestData.PasteOnCanvas(images[1].Path, 480, 640, 480 - side - 10, 300);
        using var blank = new Image<Rgb24>(640, 480, new Rgb24(128, 128, 128));

        // The buffers are pooled: a big batch first leaves its data in them for the runs after it.
        var batch = _detector.Detect([first, blank, second, first, blank]);
        var alone = new[] { _detector.Detect(second), _detector.Detect(blank), _detector.Detect(first) };

        Assert.NotEmpty(alone[2]);
        Assert.NotEmpty(alone[0]);
        Assert.Empty(alone[1]);
        AssertSameFaces(alone[2], batch[0]);
        AssertSameFaces(alone[1], batch[1]);
        AssertSameFaces(alone[0], batch[2]);
        AssertSameFaces(alone[2], batch[3]);
        AssertSameFaces(alone[1], batch[4]);
    }

    // Batched and single runs may add in a different order: the same faces to well under a pixel.
    private static void AssertSameFaces(IReadOnlyList<FaceBox> expected, IReadOnlyList<FaceBox> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].X, actual[i].X, 0.05f);
            Assert.Equal(expected[i].Y, actual[i].Y, 0.05f);
            Assert.Equal(expected[i].Width, actual[i].Width, 0.05f);
            Assert.Equal(expected[i].Height, actual[i].Height, 0.05f);
            Assert.Equal(expected[i].Score, actual[i].Score, 0.001f);
        }
    }

    [SkippableFact]
    public void Pasted_fer2013_faces_are_found_where_they_were_pasted()
    {
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        var images = FaceTestData.CleanDevImages(perLabel: 5);
        var frames = new List<Image<Rgb24>>();
        var pasted = new List<Rectangle>();
        try
        {
            for (var i = 0; i < images.Count; i++)
            {
                // Landscape and portrait frames, faces at different places, so the letterbox mapping is exercised both ways.
                var (width, height) = i % 2 == 0 ? (640, 480) : (480, 640);
                var side = 48 * FaceTestData.PasteScale;
                var left = (i * 37) % (width - side);
                var top = (i * 53) % (height - side);
                frames.Add(FaceTestData.PasteOnCanvas(images[i].Path, width, height, left, top));
                pasted.Add(new Rectangle(left, top, side, side));
            }

            var detections = _detector.Detect(frames);

            // FER2013 crops are loose or tight around the face, so the pasted square is only roughly the
            // face box: a find is a box centred inside the square that overlaps it clearly.
            var ious = new List<double>();
            var found = 0;
            for (var i = 0; i < frames.Count; i++)
            {
                var face = FaceRecognizer.Largest(detections[i]);
                var iou = face is null ? 0 : FaceTestData.Iou(face, pasted[i]);
                ious.Add(iou);
                if (face is not null && iou > 0.25 && pasted[i].Contains((int)(face.X + (face.Width / 2)), (int)(face.Y + (face.Height / 2))))
                {
                    found++;
                }

                output.WriteLine($"{Path.GetFileName(images[i].Path)} {images[i].Label}: faces {detections[i].Count}, largest {face}, IoU {iou:F3}");
            }

            output.WriteLine($"found {found}/{frames.Count}, mean IoU {ious.Average():F3}, median {ious.Order().ElementAt(ious.Count / 2):F3}");
            Assert.True(found >= frames.Count * 0.9, $"Only {found} of {frames.Count} pasted faces found.");
            Assert.True(ious.Average() > 0.55, $"Mean IoU with the pasted squares {ious.Average():F3}.");
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
    }

    [SkippableFact]
    public void Face_box_moves_and_scales_with_the_face_across_frame_sizes_and_aspect_ratios()
    {
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        var images = FaceTestData.CleanDevImages(perLabel: 1);
        var checkedFaces = 0;
        foreach (var (path, _) in images)
        {
            // The same face at ×4 in a landscape frame and at ×8 in a portrait one: the face's box,
            // relative to the pasted image, must be the same in both.
            using var small = FaceTestData.PasteOnCanvas(path, 640, 480, 60, 200);
            using var face = Image.Load<Rgb24>(path);
            using var large = new Image<Rgb24>(720, 1280, new Rgb24(128, 128, 128));
            using (var scaled = face.Clone(c => c.Resize(384, 384, KnownResamplers.Bicubic)))
            {
                large.Mutate(c => c.DrawImage(scaled, new Point(300, 500), 1f));
            }

            var a = FaceRecognizer.Largest(_detector.Detect(small));
            var b = FaceRecognizer.Largest(_detector.Detect(large));
            if (a is null || b is null)
            {
                continue;
            }

            var expected = new FaceBox(((a.X - 60) * 2) + 300, ((a.Y - 200) * 2) + 500, a.Width * 2, a.Height * 2, a.Score);
            var iou = FaceTestData.Iou(b, Rectangle.Round(new RectangleF(expected.X, expected.Y, expected.Width, expected.Height)));
            output.WriteLine($"{Path.GetFileName(path)}: {a} vs {b}, IoU {iou:F3}");
            Assert.True(iou > 0.8, $"{Path.GetFileName(path)}: IoU {iou:F3} between the mapped boxes.");
            checkedFaces++;
        }

        Assert.True(checkedFaces >= 5, $"Only {checkedFaces} faces found in both frames.");
    }

    [SkippableFact]
    public void Batched_detection_equals_frame_by_frame_detection()
    {
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        var images = FaceTestData.CleanDevImages(perLabel: 1).Take(3).ToList();
        using var a = FaceTestData.PasteOnCanvas(images[0].Path, 640, 480, 100, 50);
        using var b = new Image<Rgb24>(300, 300, new Rgb24(128, 128, 128));
        using var c = FaceTestData.PasteOnCanvas(images[2].Path, 400, 600, 150, 300);

        var batched = _detector.Detect([a, b, c]);
        var single = new[] { a, b, c }.Select(_detector.Detect).ToArray();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(single[i].Count, batched[i].Count);
            for (var k = 0; k < single[i].Count; k++)
            {
                Assert.Equal(single[i][k].X, batched[i][k].X, 0.01f);
                Assert.Equal(single[i][k].Y, batched[i][k].Y, 0.01f);
                Assert.Equal(single[i][k].Width, batched[i][k].Width, 0.01f);
                Assert.Equal(single[i][k].Score, batched[i][k].Score, 1e-4f);
            }
        }

        Assert.NotEmpty(batched[0]);
        Assert.Empty(batched[1]);
    }
}
