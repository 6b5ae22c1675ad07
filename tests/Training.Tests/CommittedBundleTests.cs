using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

/// <summary>The bundle committed with the product loads and matches the models beside it.</summary>
public sealed class CommittedBundleTests
{
    [Fact]
    public void Committed_bundle_loads_and_was_trained_against_the_shipped_encoders()
    {
        var bundle = ModelBundle.Load(ModelFiles.DefaultBundle);
        using var text = new MiniLmEncoder(new OnnxSessionFactory());

        bundle.VerifyUpstream(UpstreamModels.MiniLm, text.UpstreamSha256);
        bundle.VerifyUpstream("speech-cnn", UpstreamModels.Sha256OfFile(bundle.SpeechCnnPath));
        bundle.VerifyUpstream(UpstreamModels.FerExpression, UpstreamModels.Sha256OfFile(ModelFiles.FerExpression));
        // The live face path is the expression model; the paper's ResNet18 path keeps its own fusion.
        Assert.Equal(InferenceModels.FerFaceSource, bundle.FaceSource);
        Assert.NotNull(bundle.FusionFor(InferenceModels.ResNet18FaceSource));
        // Text reads its dialogue context; speech reads per-speaker normalised [MFCC statistics; CNN embedding].
        Assert.Equal(2 * MiniLmEncoder.EmbeddingDimension, bundle.TextHead.InputDimension);
        Assert.Equal(DialogueContext.DefaultTurns, bundle.TextContextTurns);
        Assert.Equal(SpeechRecognizer.CombinedDimension, bundle.SpeechHead.InputDimension);
        Assert.Equal(SpeechRecognizer.CombinedDimension, bundle.SpeakerNormalizer?.Width);
        Assert.Equal(ResNet18Featurizer.Dimension, bundle.FaceHead.InputDimension);
    }

    [Fact]
    public void Text_recognizer_built_from_the_committed_bundle_gives_a_distribution_per_text()
    {
        var bundle = ModelBundle.Load(ModelFiles.DefaultBundle);
        using var encoder = new MiniLmEncoder(new OnnxSessionFactory());
        var recognizer = new TextRecognizer(encoder, bundle.TextHead, contextTurns: bundle.TextContextTurns);

        var predictions = recognizer.Recognize([new TextTurn("I am so happy to hear that, thank you!", []), new TextTurn("This is outrageous, I want a refund now.", ["My bill doubled this month.", "Nobody told me why."])]);

        Assert.Equal(2, predictions.Count);
        Assert.All(predictions, p => Assert.Equal(1f, p.Probabilities.Sum(), 3));
        Assert.Equal(EmotionLabel.Joy, predictions[0].Emotion);
        Assert.Equal(EmotionLabel.Anger, predictions[1].Emotion);
    }
}
