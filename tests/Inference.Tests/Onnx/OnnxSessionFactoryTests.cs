using Microsoft.ML.OnnxRuntime;

namespace Emotion.Orleans.Inference.Tests;

public sealed class OnnxSessionFactoryTests
{
    [Fact]
    public void A_cuda_factory_without_the_cuda_provider_opens_every_model_on_the_cpu()
    {
        // The test build carries the CPU runtime only, so appending CUDA fails as on a silo without a GPU.
        var sessions = new OnnxSessionFactory(new OnnxRuntimeOptions { Provider = ExecutionProvider.Cuda, IntraOpThreads = 1 });

        using var first = sessions.Create(ModelFiles.FerExpression);
        using var second = sessions.Create(ModelFiles.BlazeFace);

        Assert.False(sessions.UsesCuda);
        var input = first.InputMetadata.Single();
        var shape = input.Value.Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray();
        using var tensor = OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (a, b) => a * b)], shape);
        using var run = new RunOptions();
        using var outputs = first.Run(run, [input.Key], [tensor], [first.OutputMetadata.Keys.First()]);
        Assert.All(outputs[0].GetTensorDataAsSpan<float>().ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void A_missing_model_file_is_named_in_the_error()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => new OnnxSessionFactory().Create("/nonexistent/model.onnx"));
        Assert.Contains("/nonexistent/model.onnx", ex.Message, StringComparison.Ordinal);
    }
}
