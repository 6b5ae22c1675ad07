using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace Emotion.Orleans.Inference.Tests;

[Collection(FaceModelsGroup.Name)]
public sealed class FerExpressionModelTests(FaceModelsFixture models, ITestOutputHelper output)
{
    private readonly FerExpressionModel _model = models.Expression;

    [SkippableFact]
    public void Pretrained_model_recognises_fer2013_dev_faces_well_above_chance()
    {
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        var images = FaceTestData.CleanDevImages(perLabel: 8);
        var faces = images.Select(i => Image.Load<Rgb24>(i.Path)).ToList();
        try
        {
            var probabilities = _model.Probabilities(faces);

            var predicted = probabilities.Select(p => (EmotionLabel)Array.IndexOf(p, p.Max())).ToArray();
            var accuracy = predicted.Zip(images).Average(x => x.First == x.Second.Label ? 1.0 : 0.0);
            var joy = predicted.Zip(images).Where(x => x.Second.Label == EmotionLabel.Joy).Average(x => x.First == EmotionLabel.Joy ? 1.0 : 0.0);
            output.WriteLine($"accuracy {accuracy:F3} over {images.Count} faces; joy recall {joy:F3}");

            // 7 balanced classes: chance is 0.14; the model's published FER2013 test accuracy is 0.67.
            Assert.True(accuracy > 0.4, $"Accuracy {accuracy:F3}.");

            // Happy faces are the easiest class: a wrong output order would send them elsewhere.
            Assert.True(joy >= 0.75, $"Joy recall {joy:F3}.");
            Assert.All(probabilities, p => Assert.Equal(1f, p.Sum(), 1e-3f));
        }
        finally
        {
            faces.ForEach(f => f.Dispose());
        }
    }

    [SkippableFact]
    public void Batch_equals_single_runs_and_log_probabilities_are_the_log_of_probabilities()
    {
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        var images = FaceTestData.CleanDevImages(perLabel: 1).Take(3);
        var faces = images.Select(i => Image.Load<Rgb24>(i.Path)).ToList();
        try
        {
            var batch = _model.Probabilities(faces);
            var logs = _model.LogProbabilities(faces);

            for (var i = 0; i < faces.Count; i++)
            {
                var single = _model.Probabilities([faces[i]])[0];
                for (var k = 0; k < EmotionLabels.Count; k++)
                {
                    Assert.Equal(single[k], batch[i][k], 1e-5f);
                    Assert.Equal(MathF.Log(MathF.Max(batch[i][k], 1e-7f)), logs[i][k], 1e-4f);
                }
            }
        }
        finally
        {
            faces.ForEach(f => f.Dispose());
        }
    }
}
