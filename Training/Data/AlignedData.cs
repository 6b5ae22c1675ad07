using Emotion.Orleans.Inference;

namespace Emotion.Orleans.Training;

/// <summary>One row of <c>aligned.csv</c>: a label and whichever of text, audio and frame it has (paths absolute).</summary>
internal sealed record AlignedRow(int Row, string Id, EmotionLabel Label, string? Text, string? Audio, string? Frame);

/// <summary>
/// An aligned-data folder: <c>aligned.csv</c> (RFC 4180, header <c>id,label,text,audio,frame</c>; text
/// inline, audio and frame relative paths, any of the three may be empty) beside its files. Each row
/// runs through the product's recognizers (the bundle's heads over MiniLM, the speech CNN, BlazeFace +
/// the expression model, the live default), so aligned examples see exactly what production computes.
/// </summary>
internal static class AlignedData
{
    public const string FileName = "aligned.csv";

    /// <summary>Reads and checks every row before any model runs.</summary>
    /// <exception cref="FormatException">A row has a bad label, a missing file, no modality, or the header lacks a column; the message names the row.</exception>
    /// <exception cref="FileNotFoundException">The folder has no <c>aligned.csv</c>.</exception>
    public static IReadOnlyList<AlignedRow> Read(string folder)
    {
        var csv = Path.Combine(folder, FileName);
        if (!File.Exists(csv))
        {
            throw new FileNotFoundException($"aligned data: {csv} not found.", csv);
        }

        var rows = new List<AlignedRow>();
        HeaderMap? header = null;
        int id = 0, label = 0, text = 0, audio = 0, frame = 0;
        var number = 0;
        foreach (var cells in DelimitedReader.ReadFile(csv))
        {
            if (header is null)
            {
                header = new HeaderMap(cells, csv);
                (id, label, text, audio, frame) = (header.Require("id"), header.Require("label"), header.Require("text"), header.Require("audio"), header.Require("frame"));
                continue;
            }

            number++;
            string Cell(int i) => i < cells.Length ? cells[i].Trim() : "";
            var name = Cell(id);
            var where = $"{csv}, row {number} (id '{name}')";
            if (!EmotionLabels.TryParse(Cell(label), out var emotion))
            {
                throw new FormatException($"{where}: unknown label '{Cell(label)}'.");
            }

            string? File(int i)
            {
                var relative = Cell(i);
                if (relative.Length == 0)
                {
                    return null;
                }

                var full = Path.GetFullPath(Path.Combine(folder, relative));
                return System.IO.File.Exists(full) ? full : throw new FormatException($"{where}: file '{relative}' not found.");
            }

            var utterance = cells.Length > text && cells[text].Trim().Length > 0 ? cells[text] : null;
            var row = new AlignedRow(number, name, emotion, utterance, File(audio), File(frame));
            if (row.Text is null && row.Audio is null && row.Frame is null)
            {
                throw new FormatException($"{where}: no text, audio or frame.");
            }

            rows.Add(row);
        }

        return header is null ? throw new FormatException($"{csv}: empty file.") : rows;
    }

    /// <summary>
    /// Per-modality logits of every row through the product's recognizers (missing modality = null slot;
    /// a frame without a detected face gives a null face slot). Rows left with no modality are dropped and counted.
    /// </summary>
    public static (IReadOnlyList<FusionExample> Examples, int Dropped) Examples(InferenceModels models, IReadOnlyList<AlignedRow> rows)
    {
        ArgumentNullException.ThrowIfNull(models);
        return Examples(models.TextRecognizer, models.SpeechRecognizer, models.FaceRecognizer, rows);
    }

    /// <inheritdoc cref="Examples(InferenceModels, IReadOnlyList{AlignedRow})"/>
    public static (IReadOnlyList<FusionExample> Examples, int Dropped) Examples(ITextRecognizer textRecognizer, ISpeechRecognizer speechRecognizer, IFaceRecognizer faceRecognizer, IReadOnlyList<AlignedRow> rows)
    {
        var text = new float[]?[rows.Count];
        var speech = new float[]?[rows.Count];
        var face = new float[]?[rows.Count];
        const int Batch = 32;
        for (var start = 0; start < rows.Count; start += Batch)
        {
            var chunk = rows.Skip(start).Take(Batch).Select((r, k) => (Row: r, Index: start + k)).ToArray();
            var withText = chunk.Where(c => c.Row.Text is not null).ToArray();
            if (withText.Length > 0)
            {
                var predictions = textRecognizer.Recognize([.. withText.Select(c => c.Row.Text!)]);
                for (var k = 0; k < withText.Length; k++)
                {
                    text[withText[k].Index] = predictions[k].Logits;
                }
            }

            var withAudio = chunk.Where(c => c.Row.Audio is not null).ToArray();
            if (withAudio.Length > 0)
            {
                var audio = withAudio.Select(c => Rowed(c.Row, () => RavdessClips.ReadWav(c.Row.Audio!))).ToArray();
                var predictions = speechRecognizer.Recognize(audio);
                for (var k = 0; k < withAudio.Length; k++)
                {
                    speech[withAudio[k].Index] = predictions[k].Logits;
                }
            }

            var withFrame = chunk.Where(c => c.Row.Frame is not null).ToArray();
            if (withFrame.Length > 0)
            {
                var observations = faceRecognizer.Recognize([.. withFrame.Select(c => (ReadOnlyMemory<byte>)File.ReadAllBytes(c.Row.Frame!))]);
                for (var k = 0; k < withFrame.Length; k++)
                {
                    face[withFrame[k].Index] = observations[k].Prediction?.Logits;
                }
            }
        }

        var examples = new List<FusionExample>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (text[i] is not null || speech[i] is not null || face[i] is not null)
            {
                examples.Add(new FusionExample([text[i], speech[i], face[i]], rows[i].Label));
            }
        }

        return (examples, rows.Count - examples.Count);
    }

    /// <summary>Seeded shuffle, then the first <paramref name="fraction"/> (at least one, leaving at least one when there are two or more) and the rest.</summary>
    public static (IReadOnlyList<FusionExample> First, IReadOnlyList<FusionExample> Remainder) Split(IReadOnlyList<FusionExample> examples, double fraction, int seed)
    {
        var random = new Random(seed);
        var shuffled = examples.OrderBy(_ => random.Next()).ToArray();
        var first = shuffled.Length < 2 ? 0 : Math.Clamp((int)Math.Round(shuffled.Length * fraction), 1, shuffled.Length - 1);
        return (shuffled[..first], shuffled[first..]);
    }

    private static T Rowed<T>(AlignedRow row, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidInputException or IOException or InvalidDataException or FormatException)
        {
            throw new FormatException($"aligned data, row {row.Row} (id '{row.Id}'): {e.Message}", e);
        }
    }
}

/// <summary>
/// The product's recognizers (the same classes <see cref="InferenceModels"/> builds) over heads that
/// are not in a saved bundle yet: <c>train --aligned</c> runs aligned rows through the just-trained heads.
/// </summary>
internal sealed class AlignedRecognizers : IDisposable
{
    private readonly OnnxSessionFactory _sessions = new();
    private readonly MiniLmEncoder _text;
    private readonly SpeechEmbedder _speech;
    private readonly BlazeFaceDetector _detector;
    private readonly FerExpressionModel _fer;

    /// <summary>Builds the recognizers; the face path is the live default (the expression model), whose logits the fusion trains on.</summary>
    public AlignedRecognizers(ModalityHead text, ModalityHead speech, SpeakerNormalizer? normalizer, string speechCnnPath, byte[]? textEncoderPatch)
    {
        var options = new FaceRecognizerOptions { FeaturePath = FaceFeaturePath.FerExpression };
        _text = new MiniLmEncoder(_sessions, patch: textEncoderPatch);
        _speech = SpeechEmbedder.Load(speechCnnPath, _sessions);
        _detector = new BlazeFaceDetector(_sessions, options.Detector);
        _fer = new FerExpressionModel(_sessions, maxBatch: options.MaxBatch);
        Text = new TextRecognizer(_text, text);
        Speech = new SpeechRecognizer(_speech, speech, normalizer: normalizer);
        Face = new FaceRecognizer(options, _detector, expression: _fer);
    }

    public TextRecognizer Text { get; }

    public SpeechRecognizer Speech { get; }

    public FaceRecognizer Face { get; }

    public void Dispose()
    {
        _fer.Dispose();
        _detector.Dispose();
        _speech.Dispose();
        _text.Dispose();
    }
}
