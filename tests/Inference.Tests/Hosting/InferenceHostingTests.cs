using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Orleans.Inference.Tests;

public sealed class InferenceHostingTests(HostingBundleFixture bundle) : IClassFixture<HostingBundleFixture>
{
    private const string NoSpeechCnn = "The trained speech CNN is not in Models/bundle yet.";

    private static IHost BuildHost(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddEmotionInference(builder.Configuration);
        return builder.Build();
    }

    private static Dictionary<string, string?> Settings(string bundlePath) => new()
    {
        ["Inference:BundlePath"] = bundlePath,
        ["Inference:OnnxRuntime:IntraOpThreads"] = "1",
    };

    [SkippableFact]
    public async Task A_started_host_serves_every_recognizer_from_one_set_of_models_and_recognizes_text()
    {
        Skip.IfNot(bundle.HasSpeechCnn, NoSpeechCnn);
        using var host = BuildHost(Settings(bundle.BundlePath!));
        await host.StartAsync();
        var services = host.Services;
        var models = services.GetRequiredService<InferenceModels>();

        Assert.Same(models.TextEncoder, services.GetRequiredService<ITextEmbedder>());
        Assert.Same(models.TextRecognizer, services.GetRequiredService<ITextRecognizer>());
        Assert.Same(models.FaceRecognizer, services.GetRequiredService<IFaceRecognizer>());
        Assert.Same(models.Fusion, services.GetRequiredService<FusionModel>());
        Assert.Same(models.SpeechRecognizer, services.GetRequiredService<ISpeechRecognizer>());
        Assert.Same(models.Segmenters, services.GetRequiredService<SpeechSegmenterFactory>());
        Assert.Same(models, services.GetRequiredService<InferenceModels>());
        Assert.Equal(FaceFeaturePath.FerExpression, models.FacePath);
        Assert.NotNull(models.FerExpression);
        Assert.Null(models.ResNet18);
        Assert.Same(models.Bundle.FusionFor(InferenceModels.FerFaceSource), models.Fusion);
        Assert.Equal(bundle.Upstream[UpstreamModels.BlazeFace], models.FaceDetector.UpstreamSha256);
        Assert.Equal(bundle.Upstream[UpstreamModels.SileroVad], models.Vad.UpstreamSha256);

        var recognizer = services.GetRequiredService<ITextRecognizer>();
        var fitted = recognizer.Recognize([.. HostingBundleFixture.Training.Select(t => t.Text)]);
        Assert.Equal(HostingBundleFixture.Training.Select(t => t.Label), fitted.Select(p => p.Emotion));
        var heldOut = recognizer.Recognize([.. HostingBundleFixture.HeldOut.Select(t => t.Text)]);
        var correct = heldOut.Zip(HostingBundleFixture.HeldOut, (p, t) => p.Emotion == t.Label).Count(c => c);
        Assert.True(correct >= 5, $"{correct} of {heldOut.Count} unseen sentences recognized.");
        Assert.All(heldOut, p => Assert.Equal(Modality.Text, p.Modality));

        var embeddings = services.GetRequiredService<ITextEmbedder>().Embed(["hello there"]);
        Assert.Equal(MiniLmEncoder.EmbeddingDimension, Assert.Single(embeddings).Length);

        await host.StopAsync();
    }

    [SkippableFact]
    public async Task The_face_recognizer_from_the_host_finds_a_pasted_face_and_none_in_an_empty_frame()
    {
        Skip.IfNot(bundle.HasSpeechCnn, NoSpeechCnn);
        Skip.If(FaceTestData.Fer2013Dev is null, "FER2013 dev split not found (set EMOTION_DATASETS).");
        using var host = BuildHost(Settings(bundle.BundlePath!));
        await host.StartAsync();
        var faces = host.Services.GetRequiredService<IFaceRecognizer>();
        var (path, _) = FaceTestData.CleanDevImages(1)[3];
        using var withFace = FaceTestData.PasteOnCanvas(path, 480, 360, 140, 80);
        using var empty = new Image<Rgb24>(480, 360, new Rgb24(128, 128, 128));

        var observations = faces.Recognize([FaceTestData.Jpeg(withFace), FaceTestData.Png(empty)]);

        Assert.NotNull(observations[0].Face);
        var prediction = Assert.IsType<ModalityPrediction>(observations[0].Prediction);
        Assert.Equal(Modality.Face, prediction.Modality);
        Assert.Equal(EmotionLabels.Count, prediction.Logits.Length);
        Assert.Same(FaceObservation.NoFace, observations[1]);

        // Text and face through the bundle's fusion; the missing speech slot gets no attention.
        var text = host.Services.GetRequiredService<ITextRecognizer>().Recognize(["I am so happy, this is wonderful news!"])[0];
        var fused = host.Services.GetRequiredService<FusionModel>().Fuse([text.Logits, null, prediction.Logits]);
        Assert.Equal(0f, fused.Alpha[1]);
        Assert.Equal(1f, fused.Probabilities.Sum(), 3);
        await host.StopAsync();
    }

    [SkippableFact]
    public async Task Speech_from_the_host_is_segmented_per_call_and_recognized()
    {
        Skip.IfNot(bundle.HasSpeechCnn, NoSpeechCnn);
        var clip = SpeechTestAudio.RavdessClip();
        using var host = BuildHost(Settings(bundle.BundlePath!));
        await host.StartAsync();
        var factory = host.Services.GetRequiredService<SpeechSegmenterFactory>();
        var recognizer = host.Services.GetRequiredService<ISpeechRecognizer>();

        // A whole clip and a second of silence in one push, as a call session sends them.
        var first = factory.Create();
        var second = factory.Create();
        Assert.NotSame(first, second);
        var audio = SpeechTestAudio.Concat(clip, new float[PcmAudio.SampleRate]);
        var segments = first.Push(audio).Concat(first.Flush()).ToList();
        Assert.NotEmpty(segments);
        Assert.All(segments, s => Assert.InRange(s.End, s.Start, PcmAudio.Duration(audio.Length)));
        Assert.Empty(second.Flush());

        var predictions = recognizer.Recognize([.. segments.Select(s => s.Samples)]);
        Assert.Equal(segments.Count, predictions.Count);
        Assert.All(predictions, p =>
        {
            Assert.Equal(Modality.Speech, p.Modality);
            Assert.Equal(EmotionLabels.Count, p.Logits.Length);
            Assert.All(p.Probabilities, v => Assert.True(float.IsFinite(v)));
        });
        Assert.Throws<InvalidInputException>(() => recognizer.Recognize([[]]));
        await host.StopAsync();
    }

    [SkippableFact]
    public async Task A_bundle_trained_against_another_MiniLM_stops_the_host_at_start()
    {
        Skip.IfNot(bundle.HasSpeechCnn, NoSpeechCnn);
        var other = bundle.Write(upstream => upstream[UpstreamModels.MiniLm] = new string('0', 64));
        using var host = BuildHost(Settings(other));

        var error = await Assert.ThrowsAsync<ModelBundleException>(() => host.StartAsync());

        Assert.Contains(UpstreamModels.MiniLm, error.Message, StringComparison.Ordinal);
        Assert.Contains(bundle.MiniLmSha256[..12], error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_bundle_without_the_MiniLM_hash_or_with_another_hash_of_the_configured_face_model_is_refused()
    {
        Skip.IfNot(bundle.HasSpeechCnn, NoSpeechCnn);
        var options = new InferenceOptions { BundlePath = bundle.Write(upstream => upstream.Remove(UpstreamModels.MiniLm)) };
        options.OnnxRuntime.IntraOpThreads = 1;
        Assert.Contains("records no hash", Assert.Throws<ModelBundleException>(() => new InferenceModels(options)).Message, StringComparison.Ordinal);

        options.BundlePath = bundle.Write(upstream => upstream[UpstreamModels.FerExpression] = new string('1', 64));
        Assert.Contains(UpstreamModels.FerExpression, Assert.Throws<ModelBundleException>(() => new InferenceModels(options)).Message, StringComparison.Ordinal);

        options.FacePath = FaceFeaturePath.ResNet18;
        options.BundlePath = bundle.Write(upstream => upstream[UpstreamModels.ResNet18] = new string('1', 64));
        Assert.Contains(UpstreamModels.ResNet18, Assert.Throws<ModelBundleException>(() => new InferenceModels(options)).Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_bundle_whose_speech_cnn_file_differs_from_the_one_its_head_was_trained_on_is_refused()
    {
        Skip.IfNot(bundle.HasSpeechCnn, NoSpeechCnn);
        var options = new InferenceOptions { BundlePath = bundle.Write(upstream => upstream[UpstreamModels.SpeechCnn] = new string('2', 64)) };
        options.OnnxRuntime.IntraOpThreads = 1;

        var error = Assert.Throws<ModelBundleException>(() => new InferenceModels(options));

        Assert.Contains(UpstreamModels.SpeechCnn, error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_bundle_whose_fusion_used_the_other_face_path_is_refused_before_any_model_loads()
    {
        Skip.IfNot(bundle.HasSpeechCnn, NoSpeechCnn);
        var options = new InferenceOptions { BundlePath = bundle.Write(faceSource: InferenceModels.ResNet18FaceSource, alternate: false) };

        var error = Assert.Throws<ModelBundleException>(() => new InferenceModels(options));

        Assert.Contains("'resnet18'", error.Message, StringComparison.Ordinal);
        Assert.Contains("FacePath", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_ResNet18_path_stays_selectable_and_uses_the_fusion_trained_on_its_logits()
    {
        Skip.IfNot(bundle.HasSpeechCnn, NoSpeechCnn);
        var options = new InferenceOptions { BundlePath = bundle.BundlePath!, FacePath = FaceFeaturePath.ResNet18 };
        options.OnnxRuntime.IntraOpThreads = 1;

        using var models = new InferenceModels(options);

        Assert.NotNull(models.ResNet18);
        Assert.Null(models.FerExpression);
        Assert.Same(models.Bundle.FusionFor(InferenceModels.ResNet18FaceSource), models.Fusion);
        Assert.NotSame(models.Bundle.Fusion, models.Fusion);
    }

    [SkippableFact]
    public void A_bundle_fused_on_the_expression_model_runs_that_path_and_the_provider_disposes_the_models()
    {
        Skip.IfNot(bundle.HasSpeechCnn, NoSpeechCnn);
        var settings = Settings(bundle.Write(faceSource: InferenceModels.FerFaceSource));
        settings["Inference:FacePath"] = nameof(FaceFeaturePath.FerExpression);
        var provider = new ServiceCollection().AddEmotionInference(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
        ITextEmbedder embedder;
        using (provider)
        {
            var models = provider.GetRequiredService<InferenceModels>();
            Assert.Null(models.ResNet18);
            Assert.NotNull(models.FerExpression);
            Assert.Equal(FaceFeaturePath.FerExpression, models.FaceRecognizer.FeaturePath);
            using var empty = new Image<Rgb24>(64, 64, new Rgb24(128, 128, 128));
            Assert.Same(FaceObservation.NoFace, provider.GetRequiredService<IFaceRecognizer>().Recognize([FaceTestData.Png(empty)])[0]);
            embedder = provider.GetRequiredService<ITextEmbedder>();
        }

        Assert.Throws<ObjectDisposedException>(() => embedder.Embed(["still there?"]));
    }

    [Fact]
    public async Task A_missing_bundle_folder_fails_option_validation_at_start()
    {
        using var host = BuildHost(Settings(Path.Combine(Path.GetTempPath(), "no-such-bundle-" + Guid.NewGuid().ToString("N"))));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains("Inference:BundlePath", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Services_replaced_after_registration_leave_options_and_models_untouched_at_start()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings(Path.Combine(Path.GetTempPath(), "no-such-bundle-" + Guid.NewGuid().ToString("N"))));
        builder.Services.AddEmotionInference(builder.Configuration);
        var replacement = new Replacement();
        builder.Services
            .AddSingleton<ITextRecognizer>(replacement)
            .AddSingleton<ITextEmbedder>(replacement)
            .AddSingleton<ISpeechRecognizer>(replacement)
            .AddSingleton<IFaceRecognizer>(replacement)
            .AddSingleton(HostingBundleFixture.WiringFusionModel());
        using var host = builder.Build();

        await host.StartAsync();

        Assert.Same(replacement, host.Services.GetRequiredService<ISpeechRecognizer>());
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Inference:OnnxRuntime:IntraOpThreads", "-1", "IntraOpThreads")]
    [InlineData("Inference:OnnxRuntime:CudaDeviceId", "-2", "CudaDeviceId")]
    [InlineData("Inference:Text:MaxTokens", "2", "MaxTokens")]
    [InlineData("Inference:Text:MaxTokens", "513", "MaxTokens")]
    [InlineData("Inference:Text:MaxCharacters", "0", "MaxCharacters")]
    [InlineData("Inference:Face:CropMargin", "-0.1", "CropMargin")]
    [InlineData("Inference:Face:CropMargin", "NaN", "CropMargin")]
    [InlineData("Inference:Face:MaxBatch", "0", "Face:MaxBatch")]
    [InlineData("Inference:Face:Decoder:MaxBytes", "0", "MaxBytes")]
    [InlineData("Inference:Face:Decoder:MaxWidth", "-5", "MaxWidth")]
    [InlineData("Inference:Face:Decoder:MaxHeight", "0", "MaxHeight")]
    [InlineData("Inference:Face:Detector:ScoreThreshold", "1", "ScoreThreshold")]
    [InlineData("Inference:Face:Detector:SuppressionIou", "0", "SuppressionIou")]
    [InlineData("Inference:Face:Detector:MaxBatch", "0", "Detector:MaxBatch")]
    [InlineData("Inference:Speech:MaxUtterance", "00:00:00", "MaxUtterance")]
    [InlineData("Inference:Speech:Segmenter:MinSilence", "-00:00:01", "MinSilence")]
    [InlineData("Inference:Speech:Segmenter:MaxChunk", "00:00:00", "MaxChunk")]
    [InlineData("Inference:Speech:Segmenter:MaxSegment", "00:00:00.1", "MaxSegment")]
    [InlineData("Inference:Speech:Segmenter:StopThreshold", "0.9", "Threshold")]
    [InlineData("Inference:Speech:MaxUtterance", "00:00:02", "at least Inference:Speech:Segmenter:MaxSegment")]
    public async Task An_out_of_range_setting_fails_option_validation_at_start(string key, string value, string named)
    {
        var settings = Settings(Path.GetTempPath());
        settings[key] = value;
        using var host = BuildHost(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void Default_options_over_an_existing_folder_pass_validation_and_every_failure_is_reported()
    {
        var validator = new InferenceOptionsValidator();
        var options = new InferenceOptions { BundlePath = Path.GetTempPath() };
        Assert.True(validator.Validate(null, options).Succeeded);

        options.OnnxRuntime.IntraOpThreads = -1;
        options.Text.MaxCharacters = 0;
        options.Speech.MaxUtterance = TimeSpan.Zero;
        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(4, result.Failures!.Count()); // the zero utterance limit also falls below the longest segment
    }

    [Fact]
    public void Default_options_point_at_the_shipped_bundle_and_the_expression_model_path()
    {
        var options = new InferenceOptions();
        Assert.Equal(ModelFiles.DefaultBundle, options.BundlePath);
        Assert.Equal(FaceFeaturePath.FerExpression, options.FacePath);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Speech.Segmenter.MaxChunk);

        var bound = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Inference:FacePath"] = "ResNet18", ["Inference:Speech:Segmenter:MinSilence"] = "00:00:00.5" }).Build();
        var services = new ServiceCollection().AddEmotionInference(bound).BuildServiceProvider();
        using (services)
        {
            var value = services.GetRequiredService<IOptions<InferenceOptions>>().Value;
            Assert.Equal(FaceFeaturePath.ResNet18, value.FacePath);
            Assert.Equal(FaceFeaturePath.ResNet18, value.Face.FeaturePath);
            Assert.Equal(TimeSpan.FromMilliseconds(500), value.Speech.Segmenter.MinSilence);
            Assert.Equal(TimeSpan.FromSeconds(30), value.Speech.Segmenter.MaxChunk);
        }
    }

    [Fact]
    public void Registering_twice_adds_each_service_once()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection().AddEmotionInference(configuration).AddEmotionInference(configuration);

        Assert.Single(services, d => d.ServiceType == typeof(InferenceModels));
        Assert.Single(services, d => d.ServiceType == typeof(ITextRecognizer));
        Assert.Single(services, d => d.ServiceType == typeof(SpeechSegmenterFactory));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<InferenceOptions>));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    /// <summary>Stands in for every inference service where a test replaces them; never called.</summary>
    private sealed class Replacement : ITextRecognizer, ITextEmbedder, ISpeechRecognizer, IFaceRecognizer
    {
        public int Dimension => MiniLmEncoder.EmbeddingDimension;

        public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<string> texts) => throw new NotSupportedException();

        public IReadOnlyList<TextRecognition> RecognizeTurns(IReadOnlyList<TextTurn> turns) => throw new NotSupportedException();

        public float[][] Embed(IReadOnlyList<string> texts) => throw new NotSupportedException();

        public IReadOnlyList<ModalityPrediction> Recognize(IReadOnlyList<float[]> utterances) => throw new NotSupportedException();

        public IReadOnlyList<FaceObservation> Recognize(IReadOnlyList<ReadOnlyMemory<byte>> frames) => throw new NotSupportedException();    }
}
