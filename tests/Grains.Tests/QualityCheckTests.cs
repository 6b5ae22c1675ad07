using Emotion.Orleans.Inference;
using Emotion.Orleans.QualityCheck;
using Emotion.Orleans.Training;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>
/// The end-to-end quality check's own machinery on a few calls through the shared cluster: pairing,
/// replay, collection and the report. The figures themselves are the bundle's and are not asserted.
/// </summary>
[Collection(ClusterDefinition.Name)]
public sealed class QualityCheckTests(ClusterFixture fixture)
{
    private const string NoDatasets = "shared datasets not found (set EMOTION_DATASETS): nothing to pair.";

    private static readonly PlanSettings OnePerEmotion = PlanSettings.Default with { PerEmotion = 1, SegmentsPerCall = 7 };

    [SkippableFact]
    public void Paired_segments_take_a_held_out_clip_a_dev_face_and_a_dev_line_of_the_same_label_in_a_seeded_order()
    {
        var datasets = DatasetFolders.Find();
        Skip.If(datasets is null, NoDatasets);

        var plan = CallPlanner.Build(datasets, OnePerEmotion);

        Assert.Equal(EmotionLabels.All, plan.Labels);
        Assert.Empty(plan.Unpaired);
        var segments = plan.Segments.ToArray();
        Assert.Equal(EmotionLabels.All, segments.Select(s => s.Label).Order());
        Assert.All(segments, s =>
        {
            Assert.Equal((s.Label, s.Label, s.Label), (s.Clip.Label, s.Face.Label, s.Line.Label));
            Assert.Equal((RavdessLoader.Dataset, Modality.Speech), (s.Clip.Dataset, s.Clip.Modality));
            Assert.Contains(s.Clip.Group!, PlanSettings.HeldOutActors);
            Assert.Equal(RavdessFileName.Parse(s.Clip.Content).Label, s.Label);
            Assert.Equal(Fer2013Loader.Dataset, s.Face.Dataset);
            Assert.Equal(Path.Combine(datasets, "fer2013", "dev"), Path.GetDirectoryName(Path.GetDirectoryName(s.Face.Content)));
            Assert.Contains(s.Line.Dataset, new[] { MeldLoader.Dataset, GoEmotionsLoader.Dataset });
        });

        // One actor speaks in each call.
        Assert.All(plan.Calls, c => Assert.All(c.Segments, s => Assert.Equal(c.Actor, s.Clip.Group)));

        // The same seed pairs the same items; another seed pairs others.
        static string[] Items(CallPlan p) => [.. p.Segments.Select(s => $"{s.Clip.Id}|{s.Face.Id}|{s.Line.Id}")];
        Assert.Equal(Items(plan), Items(CallPlanner.Build(datasets, OnePerEmotion)));
        Assert.NotEqual(Items(plan), Items(CallPlanner.Build(datasets, OnePerEmotion with { Seed = 7 })));
    }

    [SkippableFact]
    public void A_label_one_source_lacks_is_reported_as_not_paired_and_left_out_of_the_calls()
    {
        var datasets = DatasetFolders.Find();
        Skip.If(datasets is null, NoDatasets);
        var root = Path.Combine(Path.GetTempPath(), $"quality-data-{Guid.NewGuid():N}");
        try
        {
            // Actor 17 speaks anger and joy; the faces have anger only; MELD and GoEmotions have lines of both.
            var actor = Directory.CreateDirectory(Path.Combine(root, "ravdess", "Actor_17")).FullName;
            File.Copy(Path.Combine(datasets, "ravdess", "Actor_17", "03-01-05-01-01-01-17.wav"), Path.Combine(actor, "03-01-05-01-01-01-17.wav"));
            File.Copy(Path.Combine(datasets, "ravdess", "Actor_17", "03-01-03-01-01-01-17.wav"), Path.Combine(actor, "03-01-03-01-01-01-17.wav"));
            var anger = Directory.CreateDirectory(Path.Combine(root, "fer2013", "dev", "anger")).FullName;
            File.Copy(Directory.EnumerateFiles(Path.Combine(datasets, "fer2013", "dev", "anger")).Order(StringComparer.Ordinal).First(), Path.Combine(anger, "face.jpg"));
            Directory.CreateDirectory(Path.Combine(root, "meld"));
            File.WriteAllText(
                Path.Combine(root, "meld", "dev_sent_emo.csv"),
                "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\r\n" +
                "1,This is the third time I am calling!,Customer,anger,negative,0,0,1,1,00:00:01,00:00:03\r\n" +
                "2,That is wonderful news.,Customer,joy,positive,0,1,1,1,00:00:04,00:00:06\r\n");
            var go = Directory.CreateDirectory(Path.Combine(root, "goemotions")).FullName;
            File.Copy(Path.Combine(datasets, "goemotions", "emotions.txt"), Path.Combine(go, "emotions.txt"));
            File.Copy(Path.Combine(datasets, "goemotions", "ekman_mapping.json"), Path.Combine(go, "ekman_mapping.json"));
            File.WriteAllText(Path.Combine(go, "dev.tsv"), "Fine, whatever.\t27\tc1\n");

            var plan = CallPlanner.Build(root, PlanSettings.Default with { Actors = new HashSet<string> { "17" } });

            Assert.Equal([EmotionLabel.Anger], plan.Labels);
            Assert.Contains("joy: no FER2013 dev image", plan.Unpaired);
            var segment = Assert.Single(plan.Segments);
            Assert.Equal((EmotionLabel.Anger, "03-01-05-01-01-01-17.wav", "face.jpg", "dia0_utt0"), (segment.Label, segment.Clip.Id, segment.Face.Id, segment.Line.Id));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Replayed_paired_calls_give_every_segment_its_own_fused_result_and_the_report_counts_them()
    {
        var datasets = DatasetFolders.Find();
        Skip.If(datasets is null, NoDatasets);
        var plan = CallPlanner.Build(datasets, OnePerEmotion);
        var replayer = new QualityReplayer(fixture.Client, ScriptSettings.Default with { FramesPerSecond = 1 });

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var outcomes = await replayer.ReplayAsync(plan, Guid.NewGuid().ToString("N")[..8], 2, null, timeout.Token);

        Assert.Equal(plan.Segments.Select(s => (s.Clip.Id, s.Label)), outcomes.Select(o => (o.Segment.Clip.Id, o.Segment.Label)));
        Assert.All(outcomes, o =>
        {
            Assert.Equal(0, o.Refused);
            var final = Assert.IsType<FusedResult>(o.Final);
            Assert.Equal(o.CallId, final.CallId);
            Assert.True(o.UtteranceEnds >= 1, "the transcript segment ends an utterance");

            // The segment's result was produced by the segment: it ends inside its span and holds its transcript.
            Assert.InRange(final.WindowEnd, o.Span.Start, o.Span.End);
            Assert.NotNull(o.Fresh(InputModality.Text));
            Assert.Equal(o.Correct, final.Emotion == EmotionLabels.Name(o.Segment.Label));
        });

        var folder = Path.Combine(Path.GetTempPath(), $"quality-{Guid.NewGuid():N}");
        try
        {
            var report = QualityReport.Create(
                DateTimeOffset.UtcNow, "test", "test", "bundle", "face", new Dictionary<string, string>(), plan, outcomes, TimeSpan.FromSeconds(1), 1.0, new Dictionary<EmotionLabel, double> { [EmotionLabel.Anger] = 0.0 });
            var (json, markdown) = report.Write(folder);
            var read = QualityReport.Read(json);

            Assert.Equal((7, outcomes.Count(o => o.Correct)), (read.Overall.Segments, read.Overall.Correct));
            Assert.Equal(outcomes.Count(o => o.Correct) / 7.0, read.Overall.Accuracy, 6);
            Assert.Equal(EmotionLabels.Names, read.PerEmotion.Select(f => f.Emotion));
            Assert.All(read.PerEmotion, f =>
            {
                Assert.Equal(1, f.Segments);
                Assert.Equal(1, f.Predicted.Sum());
                Assert.Equal(f.Correct, f.Predicted[EmotionLabels.Names.ToList().IndexOf(f.Emotion)]);
            });
            Assert.Equal(read.Overall.Correct, read.PerEmotion.Sum(f => f.Correct));
            Assert.Equal(7, read.Overall.Text.Present);
            Assert.Equal(7, read.Segments.Count);

            // Bars: anger ≥ 0 always holds; overall ≥ 1 holds only when every segment was right.
            Assert.True(read.Bars.Single(b => b.Name == "anger").Met);
            Assert.Equal(read.Overall.Correct == 7, read.Bars.Single(b => b.Name == "overall").Met);
            Assert.Equal(read.Overall.Correct == 7, report.BarsMet);

            var text = await File.ReadAllTextAsync(markdown);
            Assert.Contains("| **all** | 7 |", text, StringComparison.Ordinal);
            Assert.Contains(QualityReport.ResultRule, text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Quality_options_read_actor_ranges_and_bars_and_refuse_what_they_cannot_read()
    {
        var options = QualityOptions.Parse(["--actors", "17,19-20", "--min-accuracy", "0.75", "--min-emotion", "angry=0.7", "--per-emotion", "3", "--set", "Fusion:CadenceInterval=00:00:02"]);

        Assert.Equal(["17", "19", "20"], options.Plan.Actors.Order(StringComparer.Ordinal));
        Assert.Equal(0.75, options.MinAccuracy);
        Assert.Equal(0.7, options.MinPerEmotion[EmotionLabel.Anger]);
        Assert.Equal(3, options.Plan.PerEmotion);
        Assert.Equal("00:00:02", options.Configuration["Fusion:CadenceInterval"]);
        Assert.Throws<ArgumentException>(() => QualityOptions.Parse(["--min-emotion", "boredom=0.5"]));
        Assert.Throws<ArgumentException>(() => QualityOptions.Parse(["--min-accuracy", "75"]));
        Assert.Throws<ArgumentException>(() => QualityOptions.Parse(["--actors", "17-30"]));
        Assert.Throws<ArgumentException>(() => QualityOptions.Parse(["--text", "subtitles"]));
        Assert.Throws<ArgumentException>(() => QualityOptions.Parse(["--segments-per-call"]));
    }
}
