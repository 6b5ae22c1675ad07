using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class WorkerTests(ClusterFixture fixture)
{
    private static readonly string[] Lines =
    [
        "I am furious", "This is disgusting", "I am scared", "Great news", "Just checking my balance",
        "That is sad", "Wow, really?", "Thanks so much", "I am worried", "This is ridiculous",
    ];

    /// <summary>The text model's logits for each line, each run on its own.</summary>
    private static float[][] AloneLogits(IEnumerable<string> texts) =>
        [.. texts.Select(t => ClusterFixture.Models.TextRecognizer.Recognize([t])[0].Logits)];

    [Fact]
    public async Task Concurrent_requests_each_get_their_own_answer_and_share_model_runs()
    {
        var recognizer = fixture.SiloService<BatchCountingTextRecognizer>();
        var before = recognizer.BatchSizes.Count;
        var texts = Enumerable.Range(0, 40).Select(i => Lines[i % Lines.Length]).ToArray();
        var worker = fixture.Client.GetGrain<ITextWorkerGrain>(0);

        var answers = await Task.WhenAll(texts.Select(t => worker.Recognize("call-batch", t)));

        var alone = AloneLogits(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(alone[i], answers[i].Values.ToArray(), new FloatTolerance(1e-4f));
        }

        // Every text ran exactly once, in batches no larger than Workers:MaxBatchSize (8 here),
        // and requests sent together shared model runs.
        var batches = recognizer.BatchSizes.Skip(before).ToList();
        Assert.Equal(40, batches.Sum());
        Assert.All(batches, b => Assert.InRange(b, 1, 8));
        Assert.True(batches.Count < texts.Length, $"No request shared a model run: {string.Join(",", batches)}.");
    }

    [Fact]
    public async Task A_bad_text_among_concurrent_good_ones_fails_alone()
    {
        var worker = fixture.Client.GetGrain<ITextWorkerGrain>(0);
        var good = Lines.Select(t => worker.Recognize("call-mixed", t)).ToList();
        var bad = worker.Recognize("call-mixed", "");

        var error = await Assert.ThrowsAsync<MalformedInputException>(() => bad);
        Assert.Equal(nameof(InputErrorKind.Empty), error.Reason);
        Assert.Equal("call-mixed", error.CallId);
        var answers = await Task.WhenAll(good);
        var alone = AloneLogits(Lines);
        for (var i = 0; i < Lines.Length; i++)
        {
            Assert.Equal(alone[i], answers[i].Values.ToArray(), new FloatTolerance(1e-4f));
        }
    }

    [Fact]
    public void Worker_media_arrays_are_handed_over_inside_the_silo_without_a_copy()
    {
        // Orleans copies a call's arguments unless they are marked immutable; an utterance of a second
        // or more is a large-object-heap array, and a frame is copied 3 times a second per call.
        var media = typeof(ISpeechWorkerGrain).GetMethods().Where(m => m.Name == nameof(ISpeechWorkerGrain.Recognize))
            .Select(m => m.GetParameters().Single(p => p.Name == "samples16k"))
            .Append(typeof(IFaceWorkerGrain).GetMethod(nameof(IFaceWorkerGrain.Recognize))!.GetParameters().Single(p => p.Name == "image"))
            .ToList();

        Assert.Equal(3, media.Count);
        Assert.All(media, p => Assert.True(p.IsDefined(typeof(global::Orleans.ImmutableAttribute), inherit: false), $"{p.Member.DeclaringType!.Name}.{p.Member.Name}({p.Name}) is copied on every call."));
    }
}
