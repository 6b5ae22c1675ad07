namespace Emotion.Orleans.Inference.Tests;

public sealed class DialogueContextTests(MiniLmFixture fixture) : IClassFixture<MiniLmFixture>
{
    private readonly MiniLmEncoder _encoder = fixture.Encoder;

    // A head over every input with fixed, varied weights: each part of the features moves its logits.
    private static ModalityHead FixedHead(int width) => new(
        width,
        new FeatureSelection([.. Enumerable.Range(0, width)], new float[width], [.. Enumerable.Repeat(1f, width)]),
        null,
        new DenseLayer(width, 7, [.. Enumerable.Range(0, 7 * width).Select(i => MathF.Cos(i * 0.37f))], new float[7]));

    [Fact]
    public void Context_features_are_the_utterance_then_the_mean_of_the_previous_turns()
    {
        var features = DialogueContext.Features([1f, 2f], [[3f, 5f], [5f, 7f]]);

        Assert.Equal([1f, 2f, 4f, 6f], features);
    }

    [Fact]
    public void An_opening_turn_has_zero_context()
    {
        Assert.Equal([1f, 2f, 0f, 0f], DialogueContext.Features([1f, 2f], []));
        Assert.Throws<ArgumentException>(() => DialogueContext.Features([1f, 2f], [[1f]]));
    }

    [Fact]
    public void Speaker_aware_features_end_with_the_speakers_previous_turn_or_zeros()
    {
        Assert.Equal([1f, 2f, 4f, 6f, 9f, 8f], DialogueContext.Features([1f, 2f], [[3f, 5f], [5f, 7f]], [9f, 8f]));
        Assert.Equal([1f, 2f, 0f, 0f, 0f, 0f], DialogueContext.Features([1f, 2f], [], null));
        Assert.Throws<ArgumentException>(() => DialogueContext.Features([1f, 2f], [], [1f]));
    }

    [Fact]
    public void Only_the_last_turns_are_kept_oldest_first()
    {
        Assert.Equal(["b", "c"], DialogueContext.Last(["a", "b", "c"], 2));
        Assert.Equal(["a"], DialogueContext.Last(["a"], 2));
        Assert.Empty(DialogueContext.Last(["a", "b"], 0));
    }

    [Fact]
    public void A_linear_head_is_standardisation_then_one_dense_layer()
    {
        var head = new ModalityHead(3, new FeatureSelection([0, 2], [1f, 0f], [2f, 1f]), null, new DenseLayer(2, 7, [.. Enumerable.Range(0, 14).Select(i => (float)i)], [.. Enumerable.Repeat(0.5f, 7)]));

        var z = head.Logits([5f, 100f, -1f]); // standardised: [2, −1]

        for (var c = 0; c < 7; c++)
        {
            Assert.Equal((2f * (2 * c)) - ((2 * c) + 1) + 0.5f, z[c], 5);
        }

        Assert.Throws<ArgumentException>(() => new ModalityHead(3, new FeatureSelection([0, 2], [0f, 0f], [1f, 1f]), null, new DenseLayer(3, 7, new float[21], new float[7])));
    }

    [Fact]
    public void A_context_reading_head_sees_the_previous_turns_of_the_call()
    {
        var head = FixedHead(2 * MiniLmEncoder.EmbeddingDimension);
        var recognizer = new TextRecognizer(_encoder, head, contextTurns: 2);
        string[] history = ["My internet has been down for three days.", "I already called twice.", "Nobody ever calls back."];
        const string Now = "Okay.";

        var withContext = Assert.Single(recognizer.Recognize([new TextTurn(Now, history)]));
        var alone = Assert.Single(recognizer.Recognize([Now]));

        var e = _encoder.Embed([Now, history[1], history[2]]);
        var expected = head.Logits(DialogueContext.Features(e[0], [e[1], e[2]]));
        Assert.True(recognizer.ReadsContext);
        Assert.False(recognizer.ReadsSpeakerTurn);
        for (var c = 0; c < 7; c++)
        {
            Assert.Equal(expected[c], withContext.Logits[c], 3);
        }

        var opening = head.Logits(DialogueContext.Features(e[0], []));
        for (var c = 0; c < 7; c++)
        {
            Assert.Equal(opening[c], alone.Logits[c], 3);
        }

        Assert.True(alone.Logits.Zip(withContext.Logits).Max(p => MathF.Abs(p.First - p.Second)) > 0.01f);
    }

    [Fact]
    public void A_speaker_aware_head_sees_the_same_speakers_previous_turn()
    {
        var head = FixedHead(3 * MiniLmEncoder.EmbeddingDimension);
        var recognizer = new TextRecognizer(_encoder, head, contextTurns: 2);
        var e = _encoder.Embed(["Okay.", "I already called twice.", "Nobody ever calls back.", "I am so sorry to hear that."]);
        var turn = TextTurn.AfterEmbeddings("Okay.", [e[2], e[3]]) with { SameSpeakerPreviousEmbedding = e[1] };

        var own = Assert.Single(recognizer.Recognize([turn]));
        var none = Assert.Single(recognizer.Recognize([turn with { SameSpeakerPreviousEmbedding = null }]));

        Assert.True(recognizer.ReadsContext);
        Assert.True(recognizer.ReadsSpeakerTurn);
        var expected = head.Logits(DialogueContext.Features(e[0], [e[2], e[3]], e[1]));
        var expectedNone = head.Logits(DialogueContext.Features(e[0], [e[2], e[3]], null));
        for (var c = 0; c < 7; c++)
        {
            Assert.Equal(expected[c], own.Logits[c], 3);
            Assert.Equal(expectedNone[c], none.Logits[c], 3);
        }

        Assert.True(own.Logits.Zip(none.Logits).Max(p => MathF.Abs(p.First - p.Second)) > 0.01f);
        var error = Assert.Throws<InvalidInputException>(() => recognizer.Recognize([turn with { SameSpeakerPreviousEmbedding = [1f, 2f] }]));
        Assert.Equal(InputErrorKind.WrongShape, error.Kind);
    }

    [Fact]
    public void A_head_of_another_width_is_refused_with_the_widths_it_could_read()
    {
        var head = new ModalityHead(100, new FeatureSelection([0], [0f], [1f]), null, new DenseLayer(1, 7, new float[7], new float[7]));

        var error = Assert.Throws<ModelBundleException>(() => new TextRecognizer(_encoder, head));

        Assert.Contains("1152", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_head_without_context_ignores_the_turns()
    {
        var head = new ModalityHead(MiniLmEncoder.EmbeddingDimension, new FeatureSelection([0, 7], [0f, 0f], [1f, 1f]), null, new DenseLayer(2, 7, [.. Enumerable.Range(0, 14).Select(i => (float)i)], new float[7]));
        var recognizer = new TextRecognizer(_encoder, head);

        var a = Assert.Single(recognizer.Recognize([new TextTurn("Thanks a lot.", ["This is a disaster."])]));
        var b = Assert.Single(recognizer.Recognize(["Thanks a lot."]));

        Assert.False(recognizer.ReadsContext);
        Assert.Equal(b.Logits, a.Logits);
    }
}
