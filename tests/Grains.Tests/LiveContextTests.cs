using System.Collections.Immutable;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>The call session passes each worker what the call said and how its caller sounds so far.</summary>
[Collection(ClusterDefinition.Name)]
public sealed class LiveContextTests(ClusterFixture fixture)
{
    private static TranscriptSegment Text(string callId, string text, double start) =>
        new(callId, Speaker.Customer, text, TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(start + 1));

    private static float[] Tone(double hz, double seconds, float amplitude) =>
        [.. Enumerable.Range(0, (int)(seconds * PcmAudio.SampleRate)).Select(i => amplitude * MathF.Sin((float)(2 * Math.PI * hz * i / PcmAudio.SampleRate)))];

    [Fact]
    public async Task The_text_worker_gets_the_embeddings_of_the_previous_turns_of_the_call_oldest_first()
    {
        var recognizer = fixture.SiloService<BatchCountingTextRecognizer>();
        var id = $"call-{Guid.NewGuid():N}";
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        string[] lines = [$"My router {id} keeps dropping.", $"I restarted it twice {id}.", $"It is still broken {id}.", $"Can you send someone {id}?"];

        for (var i = 0; i < lines.Length; i++)
        {
            await call.SendText(Text(id, lines[i], i * 2));
        }

        // Each line is embedded once, as itself; later turns get its embedding, not its text again.
        var seen = recognizer.Turns.Where(t => t.Text.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Equal(lines, seen.Select(t => t.Text));
        Assert.All(seen, t => Assert.Empty(t.Context));
        var own = ClusterFixture.Models.TextRecognizer.RecognizeTurns([.. lines.Select(l => new TextTurn(l, []))]).Select(r => r.Embedding).ToList();
        var tolerance = new FloatTolerance(1e-5f);
        Assert.Empty(seen[0].ContextEmbeddings!);
        Assert.Equal(own[0], Assert.Single(seen[1].ContextEmbeddings!), tolerance);
        Assert.Equal([.. own[0], .. own[1]], seen[2].ContextEmbeddings!.SelectMany(e => e), tolerance);
        Assert.Equal([.. own[1], .. own[2]], seen[3].ContextEmbeddings!.SelectMany(e => e), tolerance); // the last DialogueContext.DefaultTurns turns
        await call.EndCall();
    }

    [Fact]
    public async Task The_text_worker_gets_the_embedding_of_the_same_speakers_previous_turn()
    {
        var recognizer = fixture.SiloService<BatchCountingTextRecognizer>();
        var id = $"call-{Guid.NewGuid():N}";
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        (Speaker Speaker, string Text)[] lines = [(Speaker.Customer, $"My bill {id} is wrong."), (Speaker.Agent, $"Let me check {id}."), (Speaker.Agent, $"I see the charge {id}."), (Speaker.Customer, $"Please remove it {id}.")];

        for (var i = 0; i < lines.Length; i++)
        {
            await call.SendText(new TranscriptSegment(id, lines[i].Speaker, lines[i].Text, TimeSpan.FromSeconds(i * 2), TimeSpan.FromSeconds((i * 2) + 1)));
        }

        var seen = recognizer.Turns.Where(t => t.Text.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Equal(lines.Select(l => l.Text), seen.Select(t => t.Text));
        var own = ClusterFixture.Models.TextRecognizer.RecognizeTurns([.. lines.Select(l => new TextTurn(l.Text, []))]).Select(r => r.Embedding).ToList();
        var tolerance = new FloatTolerance(1e-5f);
        Assert.Null(seen[0].SameSpeakerPreviousEmbedding); // each speaker's first turn has none
        Assert.Null(seen[1].SameSpeakerPreviousEmbedding);
        Assert.Equal(own[1], seen[2].SameSpeakerPreviousEmbedding!, tolerance); // the agent's turn just before
        Assert.Equal(own[0], seen[3].SameSpeakerPreviousEmbedding!, tolerance); // the customer's, two agent turns back
        await call.EndCall();
    }

    [Fact]
    public async Task Context_given_as_embeddings_gives_the_same_answer_as_context_given_as_text()
    {
        var worker = fixture.Client.GetGrain<ITextWorkerGrain>(0);
        string[] context = ["I was charged twice this month.", "Nobody answered my emails."];
        var first = await worker.RecognizeAfter("call-embedded-context", context[0], []);
        var second = await worker.RecognizeAfter("call-embedded-context", context[1], [first.Embedding]);

        var answer = await worker.RecognizeAfter("call-embedded-context", "Okay.", [first.Embedding, second.Embedding]);

        var expected = await worker.Recognize("call-embedded-context", "Okay.", context);
        Assert.Equal(expected.Values.ToArray(), answer.Logits.Values.ToArray(), new FloatTolerance(1e-4f));
        Assert.Equal(MiniLmEncoder.EmbeddingDimension, answer.Embedding.Length);
    }

    [Fact]
    public async Task A_context_embedding_of_the_wrong_width_is_refused_with_a_typed_error()
    {
        var worker = fixture.Client.GetGrain<ITextWorkerGrain>(0);

        var error = await Assert.ThrowsAsync<MalformedInputException>(() => worker.RecognizeAfter("call-bad-context", "Okay.", [ImmutableArray.Create(1f, 2f)]));

        Assert.Equal("call-bad-context", error.CallId);
        Assert.Equal(nameof(InputErrorKind.WrongShape), error.Reason);
    }

    [Fact]
    public async Task The_text_worker_answers_with_the_context_the_model_reads()
    {
        var worker = fixture.Client.GetGrain<ITextWorkerGrain>(0);
        string[] context = ["I was charged twice this month.", "Nobody answered my emails."];

        var answer = await worker.Recognize("call-context", "Okay.", context);

        var expected = ClusterFixture.Models.TextRecognizer.Recognize([new TextTurn("Okay.", context)])[0].Logits;
        Assert.Equal(expected, answer.Values.ToArray(), new FloatTolerance(1e-4f));
    }

    [Fact]
    public async Task The_speech_worker_returns_the_callers_statistics_updated_by_each_utterance()
    {
        var worker = fixture.Client.GetGrain<ISpeechWorkerGrain>(0);
        var first = Tone(180, 1.2, 0.3f);
        var second = Tone(260, 1.0, 0.2f);

        var a = await worker.Recognize("call-speaker", first, null);
        var b = await worker.Recognize("call-speaker", second, a.Speaker);
        var fresh = await worker.Recognize("call-speaker", second, null);

        Assert.NotNull(ClusterFixture.Models.Bundle.SpeakerNormalizer);
        Assert.Equal(1, a.Speaker!.Count);
        Assert.Equal(2, b.Speaker!.Count);
        Assert.NotEqual(fresh.Logits.Values.ToArray(), b.Logits.Values.ToArray()); // the call's earlier voice changes the answer
        var expected = ClusterFixture.Models.SpeechRecognizer.Recognize([new SpeechUtterance(second, SpeakerStatistics.From(a.Speaker.Count, [.. a.Speaker.Mean], [.. a.Speaker.SumSquares]))])[0];
        Assert.Equal(expected.Prediction.Logits, b.Logits.Values.ToArray(), new FloatTolerance(1e-4f));
    }

    [Fact]
    public async Task Speaker_statistics_of_the_wrong_width_are_refused_with_a_typed_error()
    {
        var worker = fixture.Client.GetGrain<ISpeechWorkerGrain>(0);
        var wrong = new SpeakerFeatureStatistics(1, ImmutableArray.Create(0f, 1f), ImmutableArray.Create(0f, 0f));

        var error = await Assert.ThrowsAsync<MalformedInputException>(() => worker.Recognize("call-bad-stats", Tone(200, 1, 0.3f), wrong));

        Assert.Equal("call-bad-stats", error.CallId);
        Assert.Equal(nameof(InputErrorKind.WrongShape), error.Reason);
    }
}
