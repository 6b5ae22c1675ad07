using Emotion.Orleans.Inference;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Orleans.Training;

/// <summary>One Conv → BatchNorm → ReLU → MaxPool block of <see cref="SpeechCnn"/>.</summary>
/// <param name="Channels">Output channels.</param>
/// <param name="KernelHeight">Kernel extent over the coefficient axis.</param>
/// <param name="KernelWidth">Kernel extent over time (odd; padded to keep the length).</param>
/// <param name="PoolWidth">Max-pool factor over time (the coefficient axis is not pooled).</param>
public sealed record SpeechCnnBlock(int Channels, int KernelHeight, int KernelWidth, int PoolWidth);

/// <summary>
/// The speech CNN over a [b, 1, 40, 300] MFCC matrix: three Conv → BatchNorm → ReLU → MaxPool
/// blocks, global average pooling, a 128-d ReLU embedding and a linear layer to the seven class
/// logits. The first kernel spans all 40 coefficients (a cepstrum has no translation invariance
/// along its coefficient axis), so the later blocks convolve over time only.
/// </summary>
public sealed class SpeechCnn : nn.Module<Tensor, (Tensor Embedding, Tensor Logits)>
{
    /// <summary>The three blocks.</summary>
    public static IReadOnlyList<SpeechCnnBlock> Blocks { get; } =
    [
        new(64, MfccFeatures.Coefficients, 5, 2),
        new(96, 1, 5, 2),
        new(128, 1, 3, 2),
    ];

    /// <summary>Width of the embedding that speech heads read.</summary>
    public const int EmbeddingSize = 128;

    /// <summary>BatchNorm epsilon (also used when folding it into the exported convolutions).</summary>
    public const double BatchNormEpsilon = 1e-5;

    private readonly ModuleList<Conv2d> _convs;
    private readonly ModuleList<BatchNorm2d> _norms;
    private readonly ModuleList<MaxPool2d> _pools;
    private readonly Linear _embed;
    private readonly Dropout _dropout;
    private readonly Linear _classify;

    /// <summary>Creates the network with PyTorch's default initialisation (seed it first).</summary>
    public SpeechCnn(double dropout = 0.3)
        : base(nameof(SpeechCnn))
    {
        _convs = new ModuleList<Conv2d>();
        _norms = new ModuleList<BatchNorm2d>();
        _pools = new ModuleList<MaxPool2d>();
        long inputs = 1;
        foreach (var block in Blocks)
        {
            _convs.Add(nn.Conv2d(inputs, block.Channels, (block.KernelHeight, block.KernelWidth), padding: (0, block.KernelWidth / 2), bias: false));
            _norms.Add(nn.BatchNorm2d(block.Channels, eps: BatchNormEpsilon));
            _pools.Add(nn.MaxPool2d((1, block.PoolWidth)));
            inputs = block.Channels;
        }

        _embed = nn.Linear(inputs, EmbeddingSize);
        _dropout = nn.Dropout(dropout);
        _classify = nn.Linear(EmbeddingSize, EmotionLabels.Count);
        RegisterComponents();
    }

    /// <summary>The convolutions, in order.</summary>
    public IReadOnlyList<Conv2d> Convolutions => [.. _convs];

    /// <summary>The batch norms, one per convolution.</summary>
    public IReadOnlyList<BatchNorm2d> Norms => [.. _norms];

    /// <summary>The embedding layer (ReLU follows).</summary>
    public Linear Embed => _embed;

    /// <summary>The 128 → 7 classifier.</summary>
    public Linear Classify => _classify;

    /// <inheritdoc />
    public override (Tensor Embedding, Tensor Logits) forward(Tensor input)
    {
        var x = input;
        for (var i = 0; i < _convs.Count; i++)
        {
            x = _pools[i].forward(nn.functional.relu(_norms[i].forward(_convs[i].forward(x))));
        }

        x = x.mean([2L, 3L]);
        var embedding = nn.functional.relu(_embed.forward(x));
        var logits = _classify.forward(_dropout.forward(embedding));
        return (embedding, logits);
    }
}
