using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace Emotion.Orleans.Inference.Tests;

[Collection(FaceModelsGroup.Name)]
public sealed class FaceRecognizerTests(FaceModelsFixture models, ITestOutputHelper output)
{
    private FaceRecognizer Expression(ModalityHead? head = null) =>
        new(new FaceRecognizerOptions { FeaturePath = FaceFeaturePath.FerExpression }, models.Detector, expression: models.Expression, head: head);

    /// <summary>A fixed head that reads the first seven features one-to-one (tests the wiring, not a learned model).</summary>
    private static ModalityHead PassThroughHead(int inputs)
    {
        var identity = Enumerable.Range(0, 49).Select(i => i / 7 == i % 7 ? 1f : 0f).ToArray();
        return new ModalityHead(
            inputs,
            new FeatureSelection([0, 1, 2, 3, 4, 5, 6], new float[7], Enumerable.Repeat(1f, 7).ToArray()),
            new DenseLayer(7, 7, identity, Enumerable.Repeat(50f, 7).ToArray()),
            new DenseLayer(7, 7, identity, new float[7]));
    }

    private static byte[] BlankFrame()
    {
        using var blank = new Image<Rgb24>(640, 480, new Rgb24(128, 128, 128));
        return FaceTestData.Jpeg(blank);
    }

    [Fact]
    public void Frame_without_a_face_gives_the_no_face_observation()
    {
        var observations = Expression().Recognize([BlankFrame()]);

        var observation = Assert.Single(observations);
        Assert.Same(FaceObservation.NoFace, observation);
        Assert.Null(observation.Face);
        Assert.Null(observation.Prediction);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-0.1f)]
    [InlineData(float.PositiveInfinity)]
    public void A_crop_margin_that_is_not_a_fraction_is_refused_at_construction(float margin) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceRecognizer(
            new FaceRecognizerOptions { FeaturePath = FaceFeaturePath.FerExpression, CropMargin = margin }, models.Detector, expression: models.Expression));

    [Fact]
    public void No_frames_give_no_observations() => Assert.Empty(Expression().Recognize([]));

    [Fact]
    public void A_bad_frame_refuses_the_whole_batch_with_its_error_kind()
    {
        using var image = new Image<Rgb24>(64, 64);
        var jpeg = FaceTestData.Jpeg(image);

        var ex = Assert.Throws<InvalidInputException>(() => Expression().Recognize([BlankFrame(), jpeg.AsMemory(0, jpeg.Length / 2)]));

        Assert.Equal(Modality.Face, ex.Modality);
        Assert.Equal(InputErrorKind.CorruptImage, ex.Kind);
        Assert.StartsWith("Frame 1:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Head_of_the_wrong_width_is_a_bundle_error()
    {
        Assert.Throws<ModelBundleException>(() => new FaceRecognizer(
            new FaceRecognizerOptions { FeaturePath = FaceFeaturePath.ResNet18 }, models.Detector, resNet: models.ResNet, head: PassThroughHead(384)));
        Assert.Throws<ArgumentException>(() => new FaceRecognizer(
            new FaceRecognizerOptions { FeaturePath = FaceFeaturePath.ResNet18 }, models.Detector, resNet: models.ResNet));
        Assert.Throws<ArgumentException>(() => new FaceRecognizer(
            new FaceRecognizerOptions { FeaturePath = FaceFeaturePath.FerExpression }, models.Detector));
    }

    [SkippableFact]
    public void Mixed_batch_keeps_frame_order_and_predicts_only_where_there_is_a_face()
    {
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        var joy = FaceTestData.CleanDevImages(perLabel: 1).First(i => i.Label == EmotionLabel.Joy);
        using var frame = FaceTestData.PasteOnCanvas(joy.Path, 640, 480, 220, 140);
        var face = FaceTestData.Png(frame);

        var observations = Expression().Recognize([face, BlankFrame(), face]);

        Assert.Equal(3, observations.Count);
        Assert.Same(FaceObservation.NoFace, observations[1]);
        foreach (var observation in new[] { observations[0], observations[2] })
        {
            Assert.NotNull(observation.Face);
            var prediction = Assert.IsType<ModalityPrediction>(observation.Prediction);
            Assert.Equal(Modality.Face, prediction.Modality);
            Assert.Equal(EmotionLabels.Count, prediction.Logits.Length);
            Assert.Equal(1f, prediction.Probabilities.Sum(), 1e-4f);
            Assert.True(FaceTestData.Iou(observation.Face, new Rectangle(220, 140, 192, 192)) > 0.4);
        }

        Assert.Equal(observations[0].Prediction!.Logits, observations[2].Prediction!.Logits);
    }

    [SkippableFact]
    public void Resnet18_path_feeds_the_crop_features_through_the_head()
    {
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        var image = FaceTestData.CleanDevImages(perLabel: 1)[0];
        using var frame = FaceTestData.PasteOnCanvas(image.Path, 640, 480, 100, 200);
        var options = new FaceRecognizerOptions { FeaturePath = FaceFeaturePath.ResNet18 };
        var head = PassThroughHead(ResNet18Featurizer.Dimension);
        var recognizer = new FaceRecognizer(options, models.Detector, resNet: models.ResNet, head: head);

        var observation = Assert.Single(recognizer.Recognize([FaceTestData.Png(frame)]));

        var box = Assert.IsType<FaceBox>(observation.Face);
        using var crop = FaceImages.Crop(frame, box, options.CropMargin);
        var expected = head.Logits(models.ResNet.Featurize([crop])[0]);
        Assert.Equal(expected, observation.Prediction!.Logits);
    }

    [SkippableFact]
    public void Expression_path_on_pasted_faces_is_as_accurate_as_the_model_on_the_original_crops()
    {
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        var images = FaceTestData.CleanDevImages(perLabel: 8);
        var frames = new List<ReadOnlyMemory<byte>>();
        foreach (var (path, _) in images)
        {
            using var frame = FaceTestData.PasteOnCanvas(path, 640, 480, 200, 120);
            frames.Add(FaceTestData.Jpeg(frame));
        }

        var observations = Expression().Recognize(frames);

        var found = observations.Count(o => o.Face is not null);
        var accuracy = observations.Zip(images).Average(x => x.First.Prediction?.Emotion == x.Second.Label ? 1.0 : 0.0);
        output.WriteLine($"pipeline: faces found {found}/{images.Count}, accuracy {accuracy:F3}");
        Assert.True(found >= images.Count * 0.85, $"Faces found in {found} of {images.Count} frames.");
        Assert.True(accuracy > 0.35, $"Accuracy {accuracy:F3}.");
    }
}
