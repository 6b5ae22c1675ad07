using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class ReplyTests(ClusterFixture fixture)
{
    [Fact]
    public void Shipped_reply_bank_has_at_least_five_distinct_replies_for_every_emotion()
    {
        var bank = ReplyBank.LoadDefault();
        Assert.All(EmotionLabels.All, label =>
        {
            var replies = bank.Replies[label];
            Assert.True(replies.Count >= ReplyBank.MinRepliesPerEmotion, $"{label} has {replies.Count} replies.");
            Assert.Equal(replies.Count, replies.Distinct().Count());
        });
    }

    [Fact]
    public void Reply_bank_missing_an_emotion_is_refused()
    {
        using var json = new MemoryStream("""{ "anger": ["a", "b", "c", "d", "e"] }"""u8.ToArray());
        Assert.Throws<InvalidDataException>(() => ReplyBank.Load(json));
    }

    [Fact]
    public void Suggester_picks_the_reply_closest_to_the_customer_words_within_the_emotion()
    {
        var suggester = new EmbeddingReplySuggester(ClusterFixture.Models.TextEncoder, ReplyBank.LoadDefault());

        var reply = suggester.Suggest(EmotionLabel.Anger, "Why was I charged twice? I want the duplicate charge reversed.");

        Assert.NotNull(reply);
        Assert.Contains("charged twice", reply.Text, StringComparison.Ordinal);
        Assert.Equal("anger", reply.Emotion);
    }

    [Fact]
    public void Suggester_given_the_text_workers_embedding_picks_the_same_reply_without_embedding_again()
    {
        var (counting, suggester) = CountingSuggester();
        var fromWords = suggester.Suggest(EmotionLabel.Anger, ChargedTwice);
        var embedding = ClusterFixture.Models.TextEncoder.Embed([ChargedTwice])[0];
        var before = counting.Texts;

        var fromEmbedding = suggester.Suggest(EmotionLabel.Anger, ChargedTwice, embedding);

        Assert.Equal(before, counting.Texts);
        Assert.Equal(fromWords?.Text, fromEmbedding?.Text);
        Assert.Equal(fromWords!.Similarity, fromEmbedding!.Similarity, 4);
    }

    [Fact]
    public void Suggester_embeds_the_ChargedTwice_itself_when_the_embedding_has_another_width()
    {
        var (counting, suggester) = CountingSuggester();
        var expected = suggester.Suggest(EmotionLabel.Anger, ChargedTwice);
        var before = counting.Texts;

        var reply = suggester.Suggest(EmotionLabel.Anger, ChargedTwice, new float[3]);

        Assert.Equal(before + 1, counting.Texts);
        Assert.Equal(expected?.Text, reply?.Text);
    }

    [Fact]
    public async Task Customer_utterance_gets_a_reply_for_the_fused_emotion_and_agent_utterance_gets_none()
    {
        var id = $"call-{Guid.NewGuid():N}";
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();

        var customer = await call.SendText(new TranscriptSegment(id, Speaker.Customer, "I am furious, you charged me twice!", TimeSpan.Zero, TimeSpan.FromSeconds(2)));
        var agent = await call.SendText(new TranscriptSegment(id, Speaker.Agent, "Let me check that for you.", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)));

        var fused = Assert.IsType<FusedResult>(customer);
        var reply = Assert.IsType<ReplySuggestion>(fused.Reply);
        Assert.Equal(fused.Emotion, reply.Emotion);
        Assert.Contains(reply.Text, ReplyBank.LoadDefault().Replies[EmotionLabels.Parse(fused.Emotion)]);
        Assert.Null(agent?.Reply);
    }

    private const string ChargedTwice = "Why was I charged twice? I want the duplicate charge reversed.";

    /// <summary>A suggester over the real text encoder, with the texts it embeds counted.</summary>
    private static (CountingEmbedder Counting, EmbeddingReplySuggester Suggester) CountingSuggester()
    {
        var counting = new CountingEmbedder(ClusterFixture.Models.TextEncoder);
        return (counting, new EmbeddingReplySuggester(counting, ReplyBank.LoadDefault()));
    }

    private sealed class CountingEmbedder(ITextEmbedder inner) : ITextEmbedder
    {
        private int _texts;

        public int Texts => Volatile.Read(ref _texts);

        public int Dimension => inner.Dimension;

        public float[][] Embed(IReadOnlyList<string> texts)
        {
            Interlocked.Add(ref _texts, texts.Count);
            return inner.Embed(texts);
        }
    }
}
