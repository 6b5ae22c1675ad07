namespace Emotion.Orleans.Inference.Tests;

/// <summary>The face models, loaded once for all face tests (CPU, one thread each).</summary>
public sealed class FaceModelsFixture : IDisposable
{
    private readonly Lazy<ResNet18Featurizer> _resNet;

    public FaceModelsFixture()
    {
        var sessions = new OnnxSessionFactory(new OnnxRuntimeOptions { IntraOpThreads = 1 });
        Detector = new BlazeFaceDetector(sessions);
        Expression = new FerExpressionModel(sessions);
        _resNet = new Lazy<ResNet18Featurizer>(() => new ResNet18Featurizer(sessions));
    }

    public BlazeFaceDetector Detector { get; }

    public FerExpressionModel Expression { get; }

    public ResNet18Featurizer ResNet => _resNet.Value;

    public void Dispose()
    {
        Detector.Dispose();
        Expression.Dispose();
        if (_resNet.IsValueCreated)
        {
            _resNet.Value.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FaceModelsGroup : ICollectionFixture<FaceModelsFixture>
{
    public const string Name = "Face models";
}
