using System.Collections.Concurrent;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Orleans.Inference.Tests;

/// <summary>Keeps every stage report, in order.</summary>
internal sealed class RecordingStageObserver : IInferenceStageObserver
{
    private readonly ConcurrentQueue<(Modality Modality, InferenceStage Stage, int BatchSize, TimeSpan Elapsed)> _reports = new();

    public IReadOnlyList<(Modality Modality, InferenceStage Stage, int BatchSize, TimeSpan Elapsed)> Reports => [.. _reports];

    public void StageCompleted(Modality modality, InferenceStage stage, int batchSize, TimeSpan elapsed) =>
        _reports.Enqueue((modality, stage, batchSize, elapsed));

    /// <summary>Asserts one report per stage, in pipeline order, for <paramref name="modality"/> with the given batch sizes.</summary>
    public void AssertStages(Modality modality, int decodeBatch, int laterBatch)
    {
        var reports = Reports;
        Assert.Equal([InferenceStage.Decode, InferenceStage.Model, InferenceStage.Classifier], reports.Select(r => r.Stage));
        Assert.All(reports, r =>
        {
            Assert.Equal(modality, r.Modality);
            Assert.True(r.Elapsed >= TimeSpan.Zero, $"{r.Stage} took {r.Elapsed}.");
        });
        Assert.Equal([decodeBatch, laterBatch, laterBatch], reports.Select(r => r.BatchSize));
    }
}

public sealed class TextStageTimingTests(MiniLmFixture fixture) : IClassFixture<MiniLmFixture>
{
    /// <summary>A fixed head over three features (not a learned model): the timing is under test.</summary>
    private static readonly ModalityHead Head = new(
        384,
        new FeatureSelection([0, 5, 383], [0f, 0f, 0f], [1f, 1f, 1f]),
        new DenseLayer(3, 2, [1f, 0f, 0f, 0f, 1f, -1f], [0.5f, 0.5f]),
        new DenseLayer(2, 7, [.. Enumerable.Range(0, 14).Select(i => (i % 5) - 2f)], new float[7]));

    [Fact]
    public void Text_recognizer_reports_decode_model_and_classifier_for_each_batch()
    {
        var observer = new RecordingStageObserver();
        var recognizer = new TextRecognizer(fixture.Encoder, Head, observer);

        var predictions = recognizer.Recognize(["I am furious about this bill", "Thank you so much!", "fine"]);

        Assert.Equal(3, predictions.Count);
        observer.AssertStages(Modality.Text, 3, 3);
    }

    [Fact]
    public void Refused_text_and_empty_batches_report_no_stage()
    {
        var observer = new RecordingStageObserver();
        var recognizer = new TextRecognizer(fixture.Encoder, Head, observer);

        Assert.Throws<InvalidInputException>(() => recognizer.Recognize(["ok", "   "]));
        Assert.Empty(recognizer.Recognize(Array.Empty<string>()));

        Assert.Empty(observer.Reports);
    }

    [Fact]
    public void An_embedder_without_stages_of_its_own_is_timed_as_one_model_stage()
    {
        var observer = new RecordingStageObserver();
        var recognizer = new TextRecognizer(new WholeCallEmbedder(fixture.Encoder), Head, observer);

        recognizer.Recognize(["What a lovely surprise", "no"]);

        Assert.Equal([(InferenceStage.Model, 2), (InferenceStage.Classifier, 2)], observer.Reports.Select(r => (r.Stage, r.BatchSize)));
    }

    /// <summary>Another <see cref="ITextEmbedder"/> over the same real encoder that only implements the plain call.</summary>
    private sealed class WholeCallEmbedder(ITextEmbedder inner) : ITextEmbedder
    {
        public int Dimension => inner.Dimension;

        public float[][] Embed(IReadOnlyList<string> texts) => inner.Embed(texts);
    }
}

public sealed class SpeechStageTimingTests
{
    [Fact]
    public void Speech_recognizer_reports_mfcc_model_and_classifier_for_each_batch()
    {
        using var embedder = SpeechEmbedder.Load(Path.Combine(ModelFiles.DefaultBundle, "speech-cnn.onnx"));
        var observer = new RecordingStageObserver();
        var recognizer = new SpeechRecognizer(embedder, Head(), observer);
        float[][] utterances =
        [
            SpeechTestAudio.Sine(220, TimeSpan.FromSeconds(1.5), 0.3f),
            SpeechTestAudio.Noise(TimeSpan.FromSeconds(0.8), 0.1f, seed: 5),
        ];

        Assert.Equal(2, recognizer.Recognize(utterances).Count);
        observer.AssertStages(Modality.Speech, 2, 2);

        var nan = (float[])utterances[0].Clone();
        nan[10] = float.NaN;
        Assert.Throws<InvalidInputException>(() => recognizer.Recognize([nan]));
        Assert.Equal(3, observer.Reports.Count);
    }

    /// <summary>A fixed head over the 128-d embedding (not a learned model).</summary>
    private static ModalityHead Head() => new(
        128,
        new FeatureSelection([.. Enumerable.Range(0, 128)], new float[128], [.. Enumerable.Repeat(1f, 128)]),
        new DenseLayer(128, 4, [.. Enumerable.Range(0, 4 * 128).Select(i => MathF.Sin(i) * 0.1f)], new float[4]),
        new DenseLayer(4, 7, [.. Enumerable.Range(0, 28).Select(i => MathF.Cos(i) * 0.3f)], new float[7]));
}

[Collection(FaceModelsGroup.Name)]
public sealed class FaceStageTimingTests(FaceModelsFixture models)
{
    [SkippableFact]
    public void Face_recognizer_reports_decode_for_every_frame_and_model_and_classifier_for_the_faces()
    {
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        var image = FaceTestData.CleanDevImages(perLabel: 1)[0];
        using var frame = FaceTestData.PasteOnCanvas(image.Path, 640, 480, 200, 120);
        var face = FaceTestData.Png(frame);
        var observer = new RecordingStageObserver();
        var recognizer = new FaceRecognizer(
            new FaceRecognizerOptions { FeaturePath = FaceFeaturePath.FerExpression }, models.Detector, expression: models.Expression, observer: observer);

        var observations = recognizer.Recognize([face, BlankFrame(), face]);

        Assert.Equal(2, observations.Count(o => o.Prediction is not null));
        observer.AssertStages(Modality.Face, 3, 2);
    }

    [Fact]
    public void Frames_without_faces_report_only_the_decode_stage()
    {
        var observer = new RecordingStageObserver();
        var recognizer = new FaceRecognizer(
            new FaceRecognizerOptions { FeaturePath = FaceFeaturePath.FerExpression }, models.Detector, expression: models.Expression, observer: observer);

        recognizer.Recognize([BlankFrame(), BlankFrame()]);

        var report = Assert.Single(observer.Reports);
        Assert.Equal((Modality.Face, InferenceStage.Decode, 2), (report.Modality, report.Stage, report.BatchSize));
        Assert.True(report.Elapsed >= TimeSpan.Zero);
    }

    private static byte[] BlankFrame()
    {
        using var blank = new Image<Rgb24>(320, 240, new Rgb24(128, 128, 128));
        return FaceTestData.Jpeg(blank);
    }
}
