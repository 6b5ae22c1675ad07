using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>
/// Text: <see cref="MiniLmTokenizer.Encode"/>, <see cref="MiniLmEncoder.Embed(IReadOnlyList{string})"/> and, with a bundle,
/// <see cref="TextRecognizer.Recognize(IReadOnlyList{string})"/>, beside <c>InferenceSession.Run</c> of the same MiniLM
/// model on the same pre-tokenized batches. One run covers the 32 sample transcripts in batches of B.
/// </summary>
internal sealed class TextBench : IBenchSection
{
    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private static readonly string[] OutputNames = ["last_hidden_state"];

    public string Modality => "text";

    public IReadOnlyList<BenchRow> Run(BenchContext context)
    {
        var texts = SampleTranscripts.All;
        using var encoder = new MiniLmEncoder(context.Sessions, patch: context.Bundle?.ReadTextEncoderPatch());
        using var raw = context.Sessions.Create(MiniLmPackage.ReadModel());
        var recognizer = CreateRecognizer(context, encoder);
        context.Note(Modality, $"workload: {texts.Count} transcripts, {texts.Min(t => t.Length)}–{texts.Max(t => t.Length)} characters; "
            + (recognizer is null ? "encoder path only (tokenize + MiniLM + mean pool + L2)" : "encoder and bundle text head"));

        var rows = new List<BenchRow>();
        foreach (var batchSize in context.Options.BatchSizes)
        {
            var chunks = texts.Chunk(batchSize).ToArray();
            var prepared = chunks.Select(chunk => new PreparedBatch(encoder.Tokenizer.Encode(chunk))).ToArray();
            try
            {
                var meanSequence = prepared.Average(p => (double)p.SequenceLength);
                var note = string.Create(CultureInfo.InvariantCulture, $"{chunks.Length} call{(chunks.Length == 1 ? "" : "s")}, padded seq {meanSequence:0.#} avg");

                var tokenize = Sampler.Interleaved(context.Options.Plan, () =>
                {
                    foreach (var chunk in chunks)
                    {
                        encoder.Tokenizer.Encode(chunk);
                    }
                })[0];

                var actions = new List<Action>
                {
                    () => RunAll(raw, prepared),
                    () =>
                    {
                        foreach (var chunk in chunks)
                        {
                            encoder.Embed(chunk);
                        }
                    },
                };
                if (recognizer is not null)
                {
                    actions.Add(() =>
                    {
                        foreach (var chunk in chunks)
                        {
                            recognizer.Recognize(chunk);
                        }
                    });
                }

                var samples = Sampler.Interleaved(context.Options.Plan, [.. actions]);
                rows.Add(BenchRow.Of(Modality, "tokenize", batchSize, texts.Count, tokenize, null, note));
                rows.Add(BenchRow.Of(Modality, "embed (tokenize+MiniLM+pool)", batchSize, texts.Count, samples[1], samples[0], note) with
                {
                    EndToEnd = recognizer is null,
                });
                if (recognizer is not null)
                {
                    rows.Add(BenchRow.Of(Modality, "recognize (embed+head)", batchSize, texts.Count, samples[2], samples[0], note) with { EndToEnd = true });
                }
            }
            finally
            {
                foreach (var batch in prepared)
                {
                    batch.Dispose();
                }
            }
        }

        return rows;
    }

    private TextRecognizer? CreateRecognizer(BenchContext context, MiniLmEncoder encoder)
    {
        if (context.Bundle is null)
        {
            return null;
        }

        try
        {
            context.Bundle.VerifyUpstream(UpstreamModels.MiniLm, encoder.UpstreamSha256);
            return new TextRecognizer(encoder, context.Bundle.TextHead, contextTurns: context.Bundle.TextContextTurns);
        }
        catch (ModelBundleException ex)
        {
            context.Note(Modality, $"bundle text head not measured: {ex.Message}");
            return null;
        }
    }

    private static void RunAll(InferenceSession session, PreparedBatch[] batches)
    {
        foreach (var batch in batches)
        {
            using var options = new RunOptions();
            using var outputs = session.Run(options, InputNames, batch.Inputs, OutputNames);
        }
    }

    /// <summary>A tokenized batch held as ORT inputs, so the raw run times <c>Run</c> alone.</summary>
    private sealed class PreparedBatch : IDisposable
    {
        public PreparedBatch(TokenBatch batch)
        {
            SequenceLength = batch.SequenceLength;
            long[] shape = [batch.Count, batch.SequenceLength];
            Inputs =
            [
                OrtValue.CreateTensorValueFromMemory(batch.InputIds.ToArray(), shape),
                OrtValue.CreateTensorValueFromMemory(batch.AttentionMask.ToArray(), shape),
                OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds.ToArray(), shape),
            ];
        }

        public int SequenceLength { get; }

        public OrtValue[] Inputs { get; }

        public void Dispose()
        {
            foreach (var input in Inputs)
            {
                input.Dispose();
            }
        }
    }
}
