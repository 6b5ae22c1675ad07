using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Emotion.Orleans.Inference.Tests;

public sealed class StageObserverHostingTests(HostingBundleFixture bundle) : IClassFixture<HostingBundleFixture>
{
    [SkippableFact]
    public async Task A_registered_stage_observer_times_every_recognizer_of_the_host()
    {
        Skip.IfNot(bundle.HasSpeechCnn, "The trained speech CNN is not in Models/bundle yet.");
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        var observer = new RecordingStageObserver();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Inference:BundlePath"] = bundle.BundlePath,
            ["Inference:OnnxRuntime:IntraOpThreads"] = "1",
        });
        builder.Services.AddEmotionInference(builder.Configuration);

        // Registered after the models, as a host's telemetry usually is: resolved when they load.
        builder.Services.AddSingleton<IInferenceStageObserver>(observer);
        using var host = builder.Build();
        await host.StartAsync();
        var image = FaceTestData.CleanDevImages(perLabel: 1)[0];
        using var frame = FaceTestData.PasteOnCanvas(image.Path, 640, 480, 200, 120);

        host.Services.GetRequiredService<ITextRecognizer>().Recognize(["Thank you, that fixed it", "This is the third time I call"]);
        host.Services.GetRequiredService<ISpeechRecognizer>().Recognize([SpeechTestAudio.RavdessClip()]);
        host.Services.GetRequiredService<IFaceRecognizer>().Recognize([FaceTestData.Png(frame)]);
        await host.StopAsync();

        var reports = observer.Reports;
        Assert.Equal(
            [
                (Modality.Text, InferenceStage.Decode, 2), (Modality.Text, InferenceStage.Model, 2), (Modality.Text, InferenceStage.Classifier, 2),
                (Modality.Speech, InferenceStage.Decode, 1), (Modality.Speech, InferenceStage.Model, 1), (Modality.Speech, InferenceStage.Classifier, 1),
                (Modality.Face, InferenceStage.Decode, 1), (Modality.Face, InferenceStage.Model, 1), (Modality.Face, InferenceStage.Classifier, 1),
            ],
            reports.Select(r => (r.Modality, r.Stage, r.BatchSize)));
        Assert.All(reports, r => Assert.True(r.Elapsed >= TimeSpan.Zero, $"{r.Modality} {r.Stage} took {r.Elapsed}."));
    }
}
