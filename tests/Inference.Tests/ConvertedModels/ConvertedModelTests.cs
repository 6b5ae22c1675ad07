using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Emotion.Orleans.Inference.Tests;

/// <summary>
/// The ONNX files in Inference/Models, converted from TF.js by tools/ModelConverter, compute what the
/// original TF.js models computed (Reference/*.json, recorded by tools/models/reference.mjs).
/// </summary>
public sealed class ConvertedModelTests : IClassFixture<ConvertedModelTests.Sessions>
{
    // Element-wise: |onnx - tfjs| <= AbsoluteTolerance + RelativeTolerance * |tfjs|. The two runtimes sum
    // convolutions in different orders, so float32 rounding differs a little on large box offsets.
    private const double AbsoluteTolerance = 1e-4;
    private const double RelativeTolerance = 1e-5;

    private static readonly string[] BlazeFaceOutputs = ["scores_16", "boxes_16", "scores_8", "boxes_8"];

    private readonly Sessions _sessions;
    private readonly ITestOutputHelper _output;

    public ConvertedModelTests(Sessions sessions, ITestOutputHelper output)
    {
        _sessions = sessions;
        _output = output;
    }

    public static TheoryData<string> BlazeFaceCases() => CaseNames("blazeface");

    public static TheoryData<string> FerCases() => CaseNames("fer-expression");

    [Theory]
    [MemberData(nameof(BlazeFaceCases))]
    public void BlazeFace_matches_the_TFjs_model(string caseName)
    {
        var reference = Find("blazeface", caseName);
        var results = Run(_sessions.BlazeFace, reference.Input.Values(), reference.Input.LongShape, BlazeFaceOutputs);

        for (var k = 0; k < BlazeFaceOutputs.Length; k++)
        {
            AssertMatches(BlazeFaceOutputs[k], reference.Outputs[BlazeFaceOutputs[k]], results[k]);
        }
    }

    [Theory]
    [MemberData(nameof(FerCases))]
    public void Fer_expression_matches_the_TFjs_model(string caseName)
    {
        var reference = Find("fer-expression", caseName);
        var results = Run(_sessions.Fer, reference.Input.Values(), reference.Input.LongShape, ["probabilities"]);

        AssertMatches("probabilities", reference.Outputs["probabilities"], results[0]);
    }

    [Fact]
    public void Fer_expression_scores_a_batch_of_three_like_three_single_frames()
    {
        var batch = new ReferenceInput("formula", 3, [3, 64, 64, 1]).Values();

        var together = Run(_sessions.Fer, batch, [3, 64, 64, 1], ["probabilities"])[0];

        Assert.Equal([3L, 7L], together.Shape);
        for (var n = 0; n < 3; n++)
        {
            var single = Run(_sessions.Fer, batch.AsSpan(n * 4096, 4096).ToArray(), [1, 64, 64, 1], ["probabilities"])[0];
            var row = together.Values.AsSpan(n * 7, 7).ToArray();
            Assert.Equal(1.0, row.Sum(), 5);
            for (var c = 0; c < 7; c++)
            {
                Assert.Equal(single.Values[c], row[c], 6);
            }
        }
    }

    [Fact]
    public void BlazeFace_scores_a_batch_of_two_like_two_single_frames()
    {
        var first = new ReferenceInput("formula", 1, [1, 128, 128, 3]).Values();
        var second = new ReferenceInput("gradient", 0, [1, 128, 128, 3]).Values();

        var together = Run(_sessions.BlazeFace, [.. first, .. second], [2, 128, 128, 3], BlazeFaceOutputs);
        var alone = new[] { Run(_sessions.BlazeFace, first, [1, 128, 128, 3], BlazeFaceOutputs), Run(_sessions.BlazeFace, second, [1, 128, 128, 3], BlazeFaceOutputs) };

        for (var k = 0; k < BlazeFaceOutputs.Length; k++)
        {
            Assert.Equal(2, together[k].Shape[0]);
            var perItem = together[k].Values.Length / 2;
            for (var n = 0; n < 2; n++)
            {
                var expected = alone[n][k].Values;
                var actual = together[k].Values.AsSpan(n * perItem, perItem).ToArray();
                Assert.Equal(expected.Length, actual.Length);
                Assert.All(Enumerable.Range(0, perItem), i => Assert.Equal(expected[i], actual[i], 3));
            }
        }
    }

    [Fact]
    public void Converted_files_declare_the_documented_signatures()
    {
        var blazeInput = Assert.Single(_sessions.BlazeFace.InputMetadata);
        Assert.Equal("input", blazeInput.Key);
        Assert.Equal([-1, 128, 128, 3], blazeInput.Value.Dimensions);
        Assert.Equal("batch", blazeInput.Value.SymbolicDimensions[0]);
        Assert.Equal(BlazeFaceOutputs, _sessions.BlazeFace.OutputNames);
        Assert.Equal([-1, 512, 1], _sessions.BlazeFace.OutputMetadata["scores_16"].Dimensions);
        Assert.Equal([-1, 512, 16], _sessions.BlazeFace.OutputMetadata["boxes_16"].Dimensions);
        Assert.Equal([-1, 384, 1], _sessions.BlazeFace.OutputMetadata["scores_8"].Dimensions);
        Assert.Equal([-1, 384, 16], _sessions.BlazeFace.OutputMetadata["boxes_8"].Dimensions);

        var ferInput = Assert.Single(_sessions.Fer.InputMetadata);
        Assert.Equal("input", ferInput.Key);
        Assert.Equal([-1, 64, 64, 1], ferInput.Value.Dimensions);
        Assert.Equal(["probabilities"], _sessions.Fer.OutputNames);
        Assert.Equal([-1, 7], _sessions.Fer.OutputMetadata["probabilities"].Dimensions);
        Assert.Equal("angry,disgust,fear,happy,sad,surprise,neutral", _sessions.Fer.ModelMetadata.CustomMetadataMap["labels"]);
    }

    [Fact]
    public void Silero_vad_has_its_documented_signature_and_hears_no_speech_in_silence()
    {
        var session = _sessions.Vad;
        Assert.Equal(["input", "sr", "state"], session.InputNames.Order(StringComparer.Ordinal));
        Assert.Equal(["output", "stateN"], session.OutputNames.Order(StringComparer.Ordinal));

        using var input = OrtValue.CreateTensorValueFromMemory(new float[512], [1, 512]);
        using var state = OrtValue.CreateTensorValueFromMemory(new float[2 * 128], [2, 1, 128]);
        using var rate = OrtValue.CreateTensorValueFromMemory(new long[] { 16000 }, []);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input", "state", "sr"], [input, state, rate], ["output", "stateN"]);

        var probability = results[0].GetTensorDataAsSpan<float>()[0];
        Assert.InRange(probability, 0f, 0.1f);
        Assert.Equal([2L, 1L, 128L], results[1].GetTensorTypeAndShape().Shape);
    }

    private void AssertMatches(string name, ReferenceOutput expected, Result actual)
    {
        Assert.Equal(expected.Shape.Select(d => (long)d), actual.Shape);
        var values = actual.Values;
        Assert.Equal(expected.Samples.Length, (values.Length + expected.Stride - 1) / expected.Stride);

        var worstAbsolute = 0.0;
        var worstRelative = 0.0;
        for (var k = 0; k < expected.Samples.Length; k++)
        {
            var tfjs = expected.Samples[k];
            var difference = Math.Abs(values[k * expected.Stride] - tfjs);
            worstAbsolute = Math.Max(worstAbsolute, difference);
            worstRelative = Math.Max(worstRelative, difference / Math.Max(Math.Abs(tfjs), 1e-30));
            Assert.True(
                difference <= AbsoluteTolerance + (RelativeTolerance * Math.Abs(tfjs)),
                $"{name}[{k * expected.Stride}]: ONNX {values[k * expected.Stride]:R}, TF.js {tfjs:R}");
        }

        // The sums cover every element, not only the stored samples.
        var sum = values.Sum(v => (double)v);
        var absSum = values.Sum(v => Math.Abs((double)v));
        var sqSum = values.Sum(v => (double)v * v);
        var elementBound = AbsoluteTolerance + (RelativeTolerance * Math.Max(Math.Abs(expected.Min), Math.Abs(expected.Max)));
        Assert.InRange(values.Min(), expected.Min - elementBound, expected.Min + elementBound);
        Assert.InRange(values.Max(), expected.Max - elementBound, expected.Max + elementBound);
        Assert.InRange(sum, expected.Sum - (values.Length * elementBound), expected.Sum + (values.Length * elementBound));
        Assert.InRange(absSum, expected.AbsSum - (values.Length * elementBound), expected.AbsSum + (values.Length * elementBound));
        Assert.InRange(sqSum, expected.SqSum * (1 - 1e-5) - 1e-6, expected.SqSum * (1 + 1e-5) + 1e-6);
        _output.WriteLine($"{name}: worst sampled |difference| {worstAbsolute:E2}, worst relative {worstRelative:E2}, " +
            $"sum {sum:R} vs {expected.Sum:R}, sqSum {sqSum:R} vs {expected.SqSum:R}");
    }

    private static Result[] Run(InferenceSession session, float[] input, long[] shape, IReadOnlyList<string> outputs)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var options = new RunOptions();
        using var results = session.Run(options, [session.InputNames[0]], [value], outputs);
        return results.Select(r => new Result(r.GetTensorTypeAndShape().Shape, r.GetTensorDataAsSpan<float>().ToArray())).ToArray();
    }

    private static TheoryData<string> CaseNames(string model)
    {
        var data = new TheoryData<string>();
        foreach (var c in ReferenceCase.Load(model))
        {
            data.Add(c.ToString());
        }

        return data;
    }

    private static ReferenceCase Find(string model, string caseName) =>
        ReferenceCase.Load(model).Single(c => c.ToString() == caseName);

    private sealed record Result(long[] Shape, float[] Values);

    /// <summary>One session per model for the whole class, as the product shares them.</summary>
    public sealed class Sessions : IDisposable
    {
        private readonly OnnxSessionFactory _factory = new();

        public Sessions()
        {
            BlazeFace = _factory.Create(ModelFiles.BlazeFace);
            Fer = _factory.Create(ModelFiles.FerExpression);
            Vad = _factory.Create(ModelFiles.SileroVad);
        }

        public InferenceSession BlazeFace { get; }

        public InferenceSession Fer { get; }

        public InferenceSession Vad { get; }

        public void Dispose()
        {
            BlazeFace.Dispose();
            Fer.Dispose();
            Vad.Dispose();
        }
    }
}
