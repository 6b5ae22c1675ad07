using System.Text.Json;
using Emotion.Orleans.Inference;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Orleans.Training.Tests;

public sealed class AlignedDataTests : IDisposable
{
    private static readonly (string Label, string Text)[] Sentences =
    [
        ("anger", "I am furious, this is the third time you have cut me off!"),
        ("joy", "That is wonderful news, thank you so much!"),
        ("sadness", "I lost my job today and I do not know what to do."),
        ("neutral", "My account number ends in four five six."),
        ("fear", "I am scared someone has stolen my card."),
        ("surprise", "Wait, really? I had no idea that was possible!"),
        ("disgust", "That is disgusting, I cannot believe you sent me rotten food."),
        ("joy", "Great, it works perfectly now."),
    ];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aligned-" + Guid.NewGuid().ToString("N"));

    public AlignedDataTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Evaluate_on_aligned_data_reports_the_rows_and_zero_attention_exactly_for_missing_modalities()
    {
        // A plain grey frame: no face, so every row's face slot is null.
        using (var image = new Image<Rgb24>(160, 120, new Rgb24(128, 128, 128)))
        {
            image.SaveAsPng(Path.Combine(_folder, "blank.png"));
        }

        // RAVDESS clips give some rows real audio when the datasets are present.
        var root = DatasetFolders.Find();
        var ravdess = root is null ? null : Path.Combine(root, "ravdess");
        var clips = ravdess is not null && Directory.Exists(ravdess) ? RavdessLoader.Load(ravdess).Items.Take(4).ToArray() : [];
        var lines = new List<string> { "id,label,text,audio,frame" };
        for (var i = 0; i < Sentences.Length; i++)
        {
            lines.Add($"t{i},{Sentences[i].Label},\"{Sentences[i].Text}\",,blank.png");
        }

        for (var i = 0; i < clips.Length; i++)
        {
            File.Copy(clips[i].Content, Path.Combine(_folder, $"clip{i}.wav"));
            lines.Add($"s{i},{EmotionLabels.Name(clips[i].Label)},,clip{i}.wav,");
        }

        // A frame-only row without a face has no modality and is dropped.
        lines.Add("f0,neutral,,,blank.png");
        File.WriteAllLines(Path.Combine(_folder, AlignedData.FileName), lines);
        var output = Path.Combine(_folder, "report");

        var rc = Program.TrainOrEvaluate(["evaluate", "--aligned", _folder, "--bundle", ModelFiles.DefaultBundle, "--out", output]);

        Assert.Equal(0, rc);
        var usable = Sentences.Length + clips.Length;
        var fit = (int)Math.Round(usable * EvaluateCommand.AlignedFitFraction);
        var markdown = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains($"aligned rows: {usable} (fit {fit}, test {usable - fit})", markdown, StringComparison.Ordinal);
        Assert.Contains("(1 dropped", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain(FusionEvaluation.CompositeNote, markdown, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var fusion = json.RootElement.GetProperty("fusion");
        var fused = fusion.GetProperty("systems").EnumerateArray().Single(s => s.GetProperty("system").GetString() == "attention + MLP fusion");
        Assert.Equal(usable - fit, fused.GetProperty("report").GetProperty("total").GetInt32());
        var clean = fusion.GetProperty("robustness")[0];
        Assert.Equal("clean", clean.GetProperty("condition").GetString());
        var alpha = clean.GetProperty("meanAlpha").EnumerateArray().Select(a => a.GetDouble()).ToArray();
        Assert.True(alpha[(int)Modality.Text] > 0);
        Assert.Equal(0.0, alpha[(int)Modality.Face]);
        if (clips.Length == 0)
        {
            Assert.Equal(0.0, alpha[(int)Modality.Speech]);
        }
        else
        {
            Assert.True(alpha[(int)Modality.Speech] > 0);
        }

        Assert.Equal(1.0, alpha.Sum(), 5);
    }

    [Fact]
    public void Recognizers_over_heads_give_the_same_aligned_logits_as_the_loaded_product()
    {
        using (var image = new Image<Rgb24>(160, 120, new Rgb24(90, 90, 90)))
        {
            image.SaveAsPng(Path.Combine(_folder, "blank.png"));
        }

        File.WriteAllLines(Path.Combine(_folder, AlignedData.FileName), ["id,label,text,audio,frame", $"a,joy,\"{Sentences[1].Text}\",,blank.png", $"b,anger,\"{Sentences[0].Text}\",,"]);
        var rows = AlignedData.Read(_folder);
        using var models = new InferenceModels(new InferenceOptions { BundlePath = ModelFiles.DefaultBundle });
        using var recognizers = new AlignedRecognizers(models.Bundle.TextHead, models.Bundle.SpeechHead, models.Bundle.SpeakerNormalizer, models.Bundle.SpeechCnnPath, models.Bundle.ReadTextEncoderPatch());

        var product = AlignedData.Examples(models, rows);
        var heads = AlignedData.Examples(recognizers.Text, recognizers.Speech, recognizers.Face, rows);

        Assert.Equal(2, heads.Examples.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(product.Examples[i].Label, heads.Examples[i].Label);
            Assert.Equal(product.Examples[i].Logits[0], heads.Examples[i].Logits[0]);
            Assert.Null(heads.Examples[i].Logits[1]);
            Assert.Null(heads.Examples[i].Logits[2]);
        }
    }

    [Fact]
    public void Aligned_csv_with_an_unknown_label_fails_naming_the_row()
    {
        File.WriteAllLines(Path.Combine(_folder, AlignedData.FileName), ["id,label,text,audio,frame", "a,joy,\"hello, there\",,", "b,happyish,hi,,"]);

        var error = Assert.Throws<FormatException>(() => AlignedData.Read(_folder));

        Assert.Contains("row 2 (id 'b')", error.Message, StringComparison.Ordinal);
        Assert.Contains("happyish", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aligned_csv_with_a_missing_file_fails_naming_the_row_and_the_file()
    {
        File.WriteAllLines(Path.Combine(_folder, AlignedData.FileName), ["id,label,text,audio,frame", "a,anger,,missing.wav,"]);

        var error = Assert.Throws<FormatException>(() => AlignedData.Read(_folder));

        Assert.Contains("row 1 (id 'a')", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing.wav", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aligned_csv_reads_quoted_text_and_empty_slots()
    {
        File.WriteAllLines(Path.Combine(_folder, AlignedData.FileName), ["id,label,text,audio,frame", "a,joy,\"yes, \"\"great\"\"\",,"]);

        var row = Assert.Single(AlignedData.Read(_folder));

        Assert.Equal(EmotionLabel.Joy, row.Label);
        Assert.Equal("yes, \"great\"", row.Text);
        Assert.Null(row.Audio);
        Assert.Null(row.Frame);
    }
}
