using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training.Tests;

/// <summary>The bundle committed with the product loads and matches the models beside it.</summary>
public sealed class CommittedBundleTests
{
    [Fact]
    public void Committed_bundle_loads_and_was_trained_against_the_shipped_encoders()
    {
        var bundle = ModelBundle.Load(ModelFiles.DefaultBundle);
        using var text = new MiniLmEncoder(new OnnxSessionFactory(), patch: bundle.ReadTextEncoderPatch());

        bundle.VerifyUpstream(UpstreamModels.MiniLm, text.UpstreamSha256);
        // The text head reads the fine-tuned encoder it was trained on.
        bundle.VerifyUpstream(UpstreamModels.TextEncoder, text.PatchSha256!);
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
        using var encoder = new MiniLmEncoder(new OnnxSessionFactory(), patch: bundle.ReadTextEncoderPatch());
        var recognizer = new TextRecognizer(encoder, bundle.TextHead, contextTurns: bundle.TextContextTurns);

        var predictions = recognizer.Recognize([new TextTurn("I am so happy to hear that, thank you!", []), new TextTurn("You people never listen, I'm sick of this.", ["My bill doubled this month.", "Nobody told me why."])]);

        Assert.Equal(2, predictions.Count);
        Assert.All(predictions, p => Assert.Equal(1f, p.Probabilities.Sum(), 3));
        Assert.Equal(EmotionLabel.Joy, predictions[0].Emotion);
        Assert.Equal(EmotionLabel.Anger, predictions[1].Emotion);
    }

    [Fact]
    public void Synthetic_calm_speech_is_not_reported_with_near_certainty()
    {
        // A calm, voice-like synthetic signal (a 130 Hz tone with harmonics and a slow amplitude
        // swell) is far from the acted RAVDESS clips: the calibrated, speaker-normalised head must
        // not claim any emotion with near certainty, on the call's first utterance or later ones.
        var bundle = ModelBundle.Load(ModelFiles.DefaultBundle);
        using var embedder = SpeechEmbedder.Load(bundle.SpeechCnnPath);
        var recognizer = new SpeechRecognizer(embedder, bundle.SpeechHead, normalizer: bundle.SpeakerNormalizer);
        float[] Calm(double pitch, double seconds) =>
            [.. Enumerable.Range(0, (int)(seconds * PcmAudio.SampleRate)).Select(i =>
            {
                var t = i / (double)PcmAudio.SampleRate;
                var swell = 0.5 * (1 - Math.Cos(2 * Math.PI * t / seconds));
                return (float)(0.15 * swell * (Math.Sin(2 * Math.PI * pitch * t) + (0.5 * Math.Sin(4 * Math.PI * pitch * t)) + (0.25 * Math.Sin(6 * Math.PI * pitch * t))));
            })];

        SpeakerStatistics? speaker = null;
        foreach (var pitch in new[] { 130.0, 125.0, 135.0 })
        {
            var result = recognizer.Recognize([new SpeechUtterance(Calm(pitch, 2.0), speaker)])[0];
            speaker = result.Speaker;
            Assert.True(result.Prediction.Probabilities.Max() < 0.9f, $"pitch {pitch}: {result.Prediction.Emotion} at {result.Prediction.Probabilities.Max():0.000}");
        }
    }
}
